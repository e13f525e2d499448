import type { StorageConfig } from '@port-yard/shared';
import { createFilesystemStorage } from './filesystem-storage.ts';
import { lazyStorage } from './lazy-storage.ts';
import type { Storage } from './storage.ts';

type Factories = {
  [K in StorageConfig['type']]: (name: string, config: Extract<StorageConfig, { type: K }>) => Storage;
};

/**
 * Every storage backend by its config `type`: the one place that lists them. Network backends
 * are imported on first use (see lazy-storage.ts).
 */
const factories: Factories = {
  filesystem: (name, config) =>
    createFilesystemStorage({ name, root: config.path, createRoot: config.createRoot }),
  s3: (name, config) =>
    lazyStorage(name, `s3://${config.bucket}/${config.prefix}`, async () =>
      (await import('./s3/s3-storage.ts')).createS3Storage(name, config),
    ),
  sftp: (name, config) =>
    lazyStorage(name, `sftp://${config.user}@${config.host}:${config.port}/${config.path}`, async () =>
      (await import('./sftp/sftp-storage.ts')).createSftpStorage(name, config),
    ),
  rclone: (name, config) =>
    lazyStorage(name, config.remote, async () =>
      (await import('./rclone/rclone-storage.ts')).createRcloneStorage(name, config),
    ),
};

export function createStorage(name: string, config: StorageConfig): Storage {
  const factory = factories[config.type] as (name: string, config: StorageConfig) => Storage;
  return factory(name, config);
}
