import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '@port-yard/shared';
import { s3StorageSchema } from '@port-yard/shared';
import { createS3Storage } from '../../src/storage/s3/s3-storage.ts';
import type { S3Storage, S3StorageOptions } from '../../src/storage/s3/s3-storage.ts';
import { collect } from '../../src/storage/storage-contract-bodies.ts';
import type { RunningS3rver } from './s3rver.ts';

/** Where a test storage talks to: s3rver itself, or a fault proxy in front of it. */
export interface S3Endpoint {
  readonly endpoint: string;
}

/** A parsed S3 storage config for s3rver, with a unique prefix unless `overrides` gives one. */
export function s3rverConfig(
  server: RunningS3rver,
  via: S3Endpoint = server,
  overrides: Record<string, unknown> = {},
): S3StorageConfig {
  return s3StorageSchema.parse({
    type: 's3',
    bucket: server.bucket,
    prefix: `t-${randomBytes(4).toString('hex')}/`,
    endpoint: via.endpoint,
    forcePathStyle: true,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    ...overrides,
  });
}

export function s3rverStorage(
  server: RunningS3rver,
  options: { via?: S3Endpoint; config?: Record<string, unknown>; storage?: S3StorageOptions } = {},
): { storage: S3Storage; config: S3StorageConfig } {
  const config = s3rverConfig(server, options.via, options.config);
  return { storage: createS3Storage('s3-test', config, options.storage), config };
}

/** A plain client on s3rver (no proxy, no faults), to look at the bucket behind the storage's back. */
export function inspectionClient(server: RunningS3rver): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Keys of the incomplete multipart uploads under `prefix`: what a failed put must not leave. */
export async function incompleteUploads(server: RunningS3rver, prefix: string): Promise<string[]> {
  const client = inspectionClient(server);
  try {
    const page = await client.send(
      new ListMultipartUploadsCommand({ Bucket: server.bucket, Prefix: prefix }),
    );
    return (page.Uploads ?? []).map((upload) => upload.Key ?? '');
  } finally {
    client.destroy();
  }
}

/** Removes every object and incomplete upload of a test storage. */
export async function emptyStorage(storage: S3Storage): Promise<void> {
  const keys = (await collect(storage.list(''))).map((info) => info.key);
  await storage.deleteMany(keys);
  await storage.sweepTemporary(0);
}

export const MiB = 1024 * 1024;

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The SHA-256 of everything a stream gives, and how many bytes it gave. */
export async function sha256Of(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
