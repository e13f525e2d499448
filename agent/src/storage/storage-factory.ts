import type { StorageConfig } from '@port-yard/shared';
import { createFilesystemStorage } from './filesystem-storage.ts';
import { createS3Storage } from './s3/s3-storage.ts';
import { createSftpStorage } from './sftp/sftp-storage.ts';
import { createRcloneStorage } from './rclone/rclone-storage.ts';
import type { Storage } from './storage.ts';

type Factories = {
  [K in StorageConfig['type']]: (name: string, config: Extract<StorageConfig, { type: K }>) => Storage;
};

/** Every storage backend by its config `type`: the one place that lists them. */
const factories: Factories = {
  filesystem: (name, config) => createFilesystemStorage({ name, root: config.path }),
  s3: (name, config) => createS3Storage(name, config),
  sftp: (name, config) => createSftpStorage(name, config),
  rclone: (name, config) => createRcloneStorage(name, config),
};

export function createStorage(name: string, config: StorageConfig): Storage {
  const factory = factories[config.type] as (name: string, config: StorageConfig) => Storage;
  return factory(name, config);
}
