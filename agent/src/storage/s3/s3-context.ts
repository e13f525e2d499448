import type { S3Client } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '@port-yard/shared';

/**
 * What every S3 operation of one storage needs: the client, the bucket, and the key layout.
 * Storage key `k` is the S3 object `<prefix>k`; `prefix` is '' or ends with `/`.
 */
export interface S3Context {
  readonly name: string;
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  /** `s3://bucket/prefix`, plus the endpoint when not AWS: for humans, never credentials. */
  readonly location: string;
  /** Uploads are encrypted with a KMS key: access denied may mean a KMS permission. */
  readonly kms: boolean;
  /** The request timeout of upload requests; undefined: the client's own (a client given by a test). */
  readonly uploadTimeoutMs?: number;
  objectKey(key: string): string;
  /** `s3://bucket/<prefix><key>`: how messages name an object. */
  urlOf(key: string): string;
}

export function createS3Context(
  name: string,
  config: S3StorageConfig,
  client: S3Client,
  uploadTimeoutMs?: number,
): S3Context {
  const prefix = config.prefix === '' || config.prefix.endsWith('/') ? config.prefix : `${config.prefix}/`;
  const objectKey = (key: string): string => `${prefix}${key}`;
  return {
    name,
    client,
    bucket: config.bucket,
    prefix,
    location: s3Location(config.bucket, prefix, config.endpoint),
    kms: config.serverSideEncryption === 'aws:kms',
    uploadTimeoutMs,
    objectKey,
    urlOf: (key) => `s3://${config.bucket}/${objectKey(key)}`,
  };
}

function s3Location(bucket: string, prefix: string, endpoint: string | undefined): string {
  const place = `s3://${bucket}/${prefix}`;
  if (endpoint === undefined) return place;
  // Only scheme, host and port: an endpoint URL may carry user:password or a token in its query.
  const url = new URL(endpoint);
  return `${place} (${url.protocol}//${url.host})`;
}
