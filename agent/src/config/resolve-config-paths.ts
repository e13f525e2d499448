import { isAbsolute, resolve } from 'node:path';
import type { PortYardConfig, StorageConfig, TargetConfig, TlsConfig } from '@port-yard/shared';

const tlsFiles = ['ca', 'cert', 'key'] as const;

/**
 * Makes the file paths in a validated config absolute, relative paths being taken from
 * `baseDir` (the config file's folder), so the config means the same whatever the agent's
 * working directory: filesystem storage paths, `passwordFile`, and tls `ca`/`cert`/`key`.
 * `socket` and `dumpCommand` are left as written (a bare `pg_dump` is looked up on the PATH).
 */
export function resolveConfigPaths(config: PortYardConfig, baseDir: string): PortYardConfig {
  const at = (path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));

  const storages = mapValues(config.storages, (storage): StorageConfig => {
    if (storage.type === 'filesystem') return { ...storage, path: at(storage.path) };
    return storage;
  });
  const targets = mapValues(config.targets, (target): TargetConfig => {
    const copy = { ...target };
    if (copy.passwordFile !== undefined) copy.passwordFile = at(copy.passwordFile);
    if (copy.tls !== undefined) {
      const tls: TlsConfig = { ...copy.tls };
      for (const key of tlsFiles) {
        const file = tls[key];
        if (file !== undefined) tls[key] = at(file);
      }
      copy.tls = tls;
    }
    return copy;
  });
  return { ...config, storages, targets };
}

function mapValues<T, U>(record: Readonly<Record<string, T>>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}
