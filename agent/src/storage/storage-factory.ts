import type { StorageConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { createFilesystemStorage } from './filesystem-storage.ts';
import type { Storage } from './storage.ts';

type Factories = {
  [K in StorageConfig['type']]: (name: string, config: Extract<StorageConfig, { type: K }>) => Storage;
};

const notYet = (type: string) => (): Storage => {
  throw new PortYardError('CONFIG_INVALID', `storage type ${type} is not available yet`);
};

/** Every storage backend by its config `type`: the one place that lists them. */
const factories: Factories = {
  filesystem: (name, config) => createFilesystemStorage({ name, root: config.path }),
  s3: notYet('s3'),
  sftp: notYet('sftp'),
  rclone: notYet('rclone'),
};

export function createStorage(name: string, config: StorageConfig): Storage {
  const factory = factories[config.type] as (name: string, config: StorageConfig) => Storage;
  return factory(name, config);
}
