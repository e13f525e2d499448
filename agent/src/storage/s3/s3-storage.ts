import type { S3Client } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '@port-yard/shared';
import type { Storage } from '../storage.ts';
import { assertStorageKey } from '../storage-key.ts';
import { createS3Client, uploadTimeoutMs } from './s3-client.ts';
import type { S3ClientTuning } from './s3-client.ts';
import { createS3Context } from './s3-context.ts';
import { getObject, statObject } from './s3-get.ts';
import { deleteObject, deleteObjects, listObjects } from './s3-list.ts';
import { putObject } from './s3-put.ts';
import type { UploadSettings } from './s3-put.ts';
import { sweepIncompleteUploads } from './s3-sweep.ts';

export interface S3StorageOptions extends S3ClientTuning {
  /** A client to use instead of one built from the config (then the timeouts are its own). */
  readonly client?: S3Client;
  /** Keys per ListObjectsV2 page (S3's maximum, 1,000, by default): tests lower it. */
  readonly listPageSize?: number;
  /** Milliseconds since the epoch, for `sweepTemporary`'s age test; `Date.now` unless a test says. */
  readonly now?: () => number;
}

/** The S3 storage: the `Storage` contract, plus what only S3 does in bulk. */
export interface S3Storage extends Storage {
  /** Deletes many objects, 1,000 per request (DeleteObjects); see `deleteObjects`. */
  deleteMany(keys: readonly string[]): Promise<void>;
}

const mebibyte = 1024 * 1024;

/**
 * A `Storage` in an S3 bucket (AWS or S3-compatible): storage key `k` is object `<prefix>k`.
 * Puts are multipart uploads that become visible only when completed (`s3-put.ts`); the temporary
 * data of a put is an incomplete multipart upload, never a listed object. Errors are classified in
 * `s3-errors.ts`; retries are the SDK's (`s3-client.ts`). Nothing is sent until a method is called.
 */
export function createS3Storage(
  name: string,
  config: S3StorageConfig,
  options: S3StorageOptions = {},
): S3Storage {
  const context = options.client
    ? createS3Context(name, config, options.client)
    : createS3Context(name, config, createS3Client(config, options), uploadTimeoutMs(config, options));
  const now = options.now ?? Date.now;
  const settings: UploadSettings = {
    partSizeBytes: config.partSizeMiB * mebibyte,
    parallelParts: config.parallelParts,
    storageClass: config.storageClass,
    serverSideEncryption: config.serverSideEncryption,
    kmsKeyId: config.kmsKeyId,
  };
  const checked = (key: string): string => {
    assertStorageKey(key);
    return key;
  };

  return {
    name,
    location: context.location,
    async put(key, body, putOptions) {
      try {
        checked(key);
      } catch (error) {
        body.destroy();
        throw error;
      }
      const bytes = await putObject({ context, key, body, signal: putOptions?.signal, settings });
      return { bytes };
    },
    get: async (key, getOptions) => getObject(context, checked(key), getOptions),
    stat: async (key) => statObject(context, checked(key)),
    list: (prefix) => listObjects(context, prefix, options.listPageSize),
    delete: async (key) => deleteObject(context, checked(key)),
    sweepTemporary: async (olderThanMs) => sweepIncompleteUploads(context, olderThanMs, now()),
    deleteMany: async (keys) => deleteObjects(context, keys),
  };
}
