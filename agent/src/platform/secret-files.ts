import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeProcessFolder } from './process-folders.ts';

/**
 * A private folder (0700) holding files with credentials (0600), so passwords never reach a
 * command line. `dispose` removes it; callers dispose in `finally`.
 */
export interface SecretFiles {
  write(name: string, contents: string): Promise<string>;
  dispose(): Promise<void>;
}

/** `port-yard-secrets-<pid>-<random>`: see process-folders.ts. */
export const secretFilesPrefix = 'port-yard-secrets-';

export async function createSecretFiles(): Promise<SecretFiles> {
  const dir = await makeProcessFolder(tmpdir(), secretFilesPrefix);
  return {
    async write(name, contents) {
      const path = join(dir, name);
      await writeFile(path, contents, { mode: 0o600 });
      return path;
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
