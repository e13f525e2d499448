import { posix, resolve } from 'node:path';
import type { StorageConfig } from '@port-yard/shared';
import type { ConfigProblem } from './config-error.ts';
import { formatConfigPath } from './config-path.ts';
import type { YamlLocator } from './yaml-locator.ts';

/**
 * Where a storage keeps its objects: a server or service (`scope`), a folder on it (ending in
 * `/`), and the key that says which folder (for the problem's position).
 */
interface Place {
  readonly scope: string;
  readonly folder: string;
  readonly key: string;
}

const folderOf = (path: string): string => `${posix.normalize(`/${path}`).replace(/\/+$/, '')}/`;

function placeOf(storage: StorageConfig): Place {
  switch (storage.type) {
    case 'filesystem':
      // Made absolute against the config file's folder by then; resolve() also drops `..` and `//`.
      return { scope: 'file', folder: `${resolve(storage.path).replace(/\/+$/, '')}/`, key: 'path' };
    case 's3': {
      const endpoint = storage.endpoint === undefined ? undefined : URL.parse(storage.endpoint);
      const server = endpoint ? `${endpoint.origin}${endpoint.pathname.replace(/\/+$/, '')}` : 'aws';
      return { scope: `s3 ${server} ${storage.bucket}`, folder: folderOf(storage.prefix), key: 'prefix' };
    }
    case 'sftp':
      return {
        // A relative path is below the user's own folder: two users' are two places.
        scope: `sftp ${storage.host.toLowerCase()}:${storage.port}${storage.path.startsWith('/') ? '' : ` ~${storage.user}`}`,
        folder: folderOf(storage.path),
        key: 'path',
      };
    case 'rclone': {
      const colon = storage.remote.indexOf(':');
      const remote = storage.remote.slice(0, colon);
      return {
        scope: `rclone ${storage.configFile ?? ''} ${remote}`,
        folder: folderOf(storage.remote.slice(colon + 1)),
        key: 'remote',
      };
    }
  }
}

/**
 * Two storages at one place (or one inside the other's folder) keep one copy under two names: a
 * target writing to both would count two copies where there is one, and each storage's listing
 * would see the other's files. Each such pair is a problem at the later storage's key.
 */
export function sharedStoragePlaces(
  storages: Readonly<Record<string, StorageConfig>>,
  locator: YamlLocator,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen: { name: string; place: Place }[] = [];
  for (const [name, storage] of Object.entries(storages)) {
    const place = placeOf(storage);
    for (const earlier of seen) {
      if (earlier.place.scope !== place.scope) continue;
      const same = earlier.place.folder === place.folder;
      const inside = place.folder.startsWith(earlier.place.folder);
      const around = earlier.place.folder.startsWith(place.folder);
      if (!same && !inside && !around) continue;
      const where = ['storages', name, place.key];
      const relation = same
        ? `is the same place as storage "${earlier.name}"`
        : inside
          ? `lies inside storage "${earlier.name}"'s folder`
          : `holds storage "${earlier.name}"'s folder`;
      problems.push({
        path: formatConfigPath(where),
        ...locator.valueAt(where),
        message: `${relation}: a target writing to both would keep one copy under two names, and each storage would list the other's files; give each storage its own ${place.key}`,
      });
      break;
    }
    seen.push({ name, place });
  }
  return problems;
}
