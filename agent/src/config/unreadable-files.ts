import { access, constants, stat } from 'node:fs/promises';
import type { PortYardConfig } from '@port-yard/shared';
import { fileErrorReason } from '../platform/file-error-reason.ts';
import type { ConfigProblem } from './config-error.ts';
import { freeFormKeys, isFilePath } from './resolve-config-paths.ts';

/**
 * The files a loaded config names (TLS certificates and keys, age identities, SSH keys, rclone
 * configs, `maskingSql`) that cannot be read now, each with its dotted path. Not a reason to
 * refuse the config: a missing masking script must not stop the backups. `config check` reports
 * them as problems (exit 2); `serve` logs them as warnings at start and on reload. Secret files
 * (`passwordFile`, ...) are read by `loadConfig` itself, so they are known to be there.
 */
export async function unreadableConfigFiles(config: PortYardConfig): Promise<ConfigProblem[]> {
  const named: { path: string; file: string }[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (isFilePath(key, inner)) named.push({ path: at, file: inner });
      else if (!freeFormKeys.has(key)) walk(inner, at);
    }
  };
  walk(
    {
      storages: config.storages,
      targets: config.targets,
      testServers: config.testServers,
      notifications: { channels: config.notifications.channels },
    },
    '',
  );
  const problems = await Promise.all(
    named.map(async ({ path, file }) => {
      const reason = await unreadable(file);
      return reason === undefined ? [] : [{ path, message: `${file}: ${reason}` }];
    }),
  );
  return problems.flat();
}

/** Why `file` cannot be read as a file, or undefined when it can. */
async function unreadable(file: string): Promise<string | undefined> {
  try {
    if (!(await stat(file)).isFile()) return 'not a file';
    await access(file, constants.R_OK);
    return undefined;
  } catch (error) {
    return fileErrorReason(error);
  }
}
