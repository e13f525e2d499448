import { isAbsolute, resolve } from 'node:path';
import type { PortYardConfig } from '@port-yard/shared';

/**
 * Keys whose values are file paths, wherever they appear (targets, storages, tls, encryption,
 * notification channels).
 */
const fileKeys: ReadonlySet<string> = new Set([
  'passwordFile',
  'secretAccessKeyFile',
  'passphraseFile',
  'urlFile',
  'secretFile',
  'privateKeyFile',
  'configFile',
  'identityFile',
  'maskingSql',
  'ca',
  'cert',
  'key',
]);

/**
 * Maps whose keys are the user's own (a target's `labels`, a channel's `headers`): a label or a
 * header named `key` is text, never a file path to resolve or to check.
 */
export const freeFormKeys: ReadonlySet<string> = new Set(['labels', 'headers']);

/** Whether `inner`, found under `key`, is a file path of the config's own. */
export const isFilePath = (key: string, inner: unknown): inner is string =>
  fileKeys.has(key) && typeof inner === 'string';

/**
 * Makes the file paths in a validated config absolute, relative paths being taken from
 * `baseDir` (the config file's folder), so the config means the same whatever the agent's
 * working directory: filesystem storage paths, every `...File` / tls file key and `maskingSql`.
 * `socket`, `dumpCommand` and `rcloneCommand` are left as written (bare names are looked up on
 * the PATH).
 */
export function resolveConfigPaths(config: PortYardConfig, baseDir: string): PortYardConfig {
  const at = (path: string): string => (isAbsolute(path) ? path : resolve(baseDir, path));
  const resolveFiles = <T>(value: T): T => {
    if (Array.isArray(value) || typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        isFilePath(key, inner) ? at(inner) : freeFormKeys.has(key) ? inner : resolveFiles(inner),
      ]),
    ) as T;
  };
  const storages = mapValues(config.storages, (storage) =>
    storage.type === 'filesystem' ? { ...storage, path: at(storage.path) } : resolveFiles(storage),
  );
  return {
    ...config,
    storages,
    targets: mapValues(config.targets, resolveFiles),
    testServers: mapValues(config.testServers, resolveFiles),
    notifications: {
      ...config.notifications,
      channels: mapValues(config.notifications.channels, resolveFiles),
    },
  };
}

/** Without a prototype, as the schema's named maps are (named-map.ts): `targets.constructor` is none. */
function mapValues<T, U>(record: Readonly<Record<string, T>>, map: (value: T) => U): Record<string, U> {
  return Object.assign(
    Object.create(null) as Record<string, U>,
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)])),
  );
}
