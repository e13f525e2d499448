import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ConfigProblem } from './config-error.ts';
import { formatConfigPath } from './config-path.ts';
import type { YamlLocator } from './yaml-locator.ts';

export interface PasswordFiles {
  /** Target name → the password read from its `passwordFile`. */
  readonly passwords: ReadonlyMap<string, string>;
  readonly problems: readonly ConfigProblem[];
}

const reasons: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

/**
 * Reads every target's `passwordFile` (relative to `baseDir`, the config file's folder) and trims
 * the trailing newline(s) that editors and `echo` add. Works on the unvalidated data so that a
 * missing file is reported together with the schema's problems; only string values are read.
 * The password itself never appears in a problem.
 */
export async function readPasswordFiles(
  data: unknown,
  options: { readonly baseDir: string; readonly locator: YamlLocator },
): Promise<PasswordFiles> {
  const passwords = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const [name, file] of passwordFileEntries(data)) {
    const where = ['targets', name, 'passwordFile'];
    const problem = (message: string): ConfigProblem => ({
      path: formatConfigPath(where),
      ...options.locator.valueAt(where),
      message,
    });
    const absolute = resolve(options.baseDir, file);
    try {
      const password = (await readFile(absolute, 'utf8')).replace(/[\r\n]+$/, '');
      if (password === '') problems.push(problem(`the password file ${absolute} is empty`));
      else passwords.set(name, password);
    } catch (error) {
      const { code = '', message } = error as NodeJS.ErrnoException;
      problems.push(
        problem(`cannot read the password file ${absolute}: ${reasons[code] ?? (code || message)}`),
      );
    }
  }
  return { passwords, problems };
}

function passwordFileEntries(data: unknown): [string, string][] {
  const targets = isRecord(data) ? data['targets'] : undefined;
  if (!isRecord(targets)) return [];
  return Object.entries(targets).flatMap(([name, target]) => {
    const file = isRecord(target) ? target['passwordFile'] : undefined;
    return typeof file === 'string' && file !== '' ? [[name, file] as [string, string]] : [];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
