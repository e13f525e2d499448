import type { S3Client } from '@aws-sdk/client-s3';
import { s3StorageSchema } from '@port-yard/shared';
import { describe, expect, it } from 'vitest';
import { createS3Context } from './s3-context.ts';
import { isMissingObject, s3Failed } from './s3-errors.ts';

const config = (extra: Record<string, unknown> = {}) =>
  s3StorageSchema.parse({
    type: 's3',
    bucket: 'backups',
    prefix: 'py',
    accessKeyId: 'AKIAEXAMPLE',
    secretAccessKey: 'very-secret-key',
    ...extra,
  });
const context = createS3Context('offsite', config(), {} as S3Client);
const answer = (name: string, status: number, message = '', attempts = 1) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts } });

describe('s3 error classification', () => {
  it('names the bucket and the missing permission when access is denied', () => {
    const error = s3Failed(
      context,
      { operation: 'ListObjectsV2' },
      answer('AccessDenied', 403, 'Access Denied'),
    );
    expect(error).toMatchObject({ code: 'STORAGE_FAILED', phase: 'store' });
    expect(error.message).toBe(
      'S3 bucket backups: access denied for s3:ListBucket (storage "offsite", ListObjectsV2 s3://backups/py/: AccessDenied, the credentials lack s3:ListBucket)',
    );
    const kms = createS3Context('offsite', config({ serverSideEncryption: 'aws:kms' }), {} as S3Client);
    expect(
      s3Failed(kms, { operation: 'UploadPart', key: 'k' }, answer('AccessDenied', 403)).message,
    ).toContain('lack s3:PutObject or kms:GenerateDataKey on the KMS key');
    expect(
      s3Failed(context, { operation: 'HeadObject', key: 'k' }, answer('Unknown', 403)).message,
    ).toContain(
      'HTTP 403, the credentials lack s3:GetObject, or the object is missing and s3:ListBucket is not granted',
    );
  });

  it('says which credential is wrong, and never shows it', () => {
    for (const code of ['InvalidAccessKeyId', 'SignatureDoesNotMatch']) {
      const error = s3Failed(context, { operation: 'PutObject', key: 't/x' }, answer(code, 403));
      expect(error.message).toMatch(/^S3 bucket backups: access denied for s3:PutObject \(storage "offsite"/);
      expect(error.message).not.toContain('very-secret-key');
    }
  });

  it('names storage, object, code, status and attempts for anything else', () => {
    const slow = s3Failed(
      context,
      { operation: 'UploadPart', key: 't/db/a' },
      answer('SlowDown', 503, 'Please reduce your request rate.', 5),
    );
    expect(slow.message).toBe(
      'storage "offsite": S3 UploadPart of s3://backups/py/t/db/a failed: SlowDown: Please reduce your request rate. (HTTP 503, 5 attempts)',
    );
    const network = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', name: 'TimeoutError' });
    expect(s3Failed(context, { operation: 'GetObject', key: 'k' }, network).message).toBe(
      'storage "offsite": S3 GetObject of s3://backups/py/k failed: ECONNRESET: socket hang up (no answer)',
    );
    expect(
      s3Failed(context, { operation: 'GetObject', key: 'k' }, answer('NoSuchBucket', 404)).message,
    ).toMatch(/^S3 bucket backups does not exist \(storage "offsite", GetObject at s3:\/\/backups\/py\/\)$/);
  });

  it('tells a missing object from a missing bucket', () => {
    expect(isMissingObject(answer('NoSuchKey', 404))).toBe(true);
    expect(isMissingObject(answer('NotFound', 404))).toBe(true);
    expect(isMissingObject(answer('NoSuchBucket', 404))).toBe(false);
    expect(isMissingObject(answer('AccessDenied', 403))).toBe(false);
  });

  it('shows an endpoint by scheme, host and port only', () => {
    const withEndpoint = createS3Context(
      'minio',
      config({ endpoint: 'https://minio.lan:9000/path' }),
      {} as S3Client,
    );
    expect(withEndpoint.location).toBe('s3://backups/py/ (https://minio.lan:9000)');
    // The config refuses a query, and a user and password, in the endpoint; were one there, it
    // would not show.
    const withQuery = createS3Context(
      'minio',
      { ...config(), endpoint: 'https://minio.lan:9000/path?token=t' },
      {} as S3Client,
    );
    expect(withQuery.location).toBe('s3://backups/py/ (https://minio.lan:9000)');
    const withUser = createS3Context(
      'minio',
      { ...config(), endpoint: 'https://user:pw@minio.lan:9000/' },
      {} as S3Client,
    );
    expect(withUser.location).toBe('s3://backups/py/ (https://minio.lan:9000)');
  });
});
