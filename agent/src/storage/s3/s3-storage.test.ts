import { randomBytes } from 'node:crypto';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { isOperation, useFaultProxies } from '../../../test/s3/fault-proxy.ts';
import {
  emptyStorage,
  incompleteUploads,
  inspectionClient,
  MiB,
  s3rverConfig,
  s3rverStorage,
  sha256,
  sha256Of,
} from '../../../test/s3/s3-test-storage.ts';
import { useS3rver } from '../../../test/s3/s3rver.ts';
import { bodyOf, collect, patternBytes, slowBody, visibleKeys } from '../storage-contract-bodies.ts';
import { describeStorageContract } from '../storage-contract.ts';
import { createS3Client } from './s3-client.ts';
import { createS3Storage } from './s3-storage.ts';

const server = useS3rver();
const proxy = useFaultProxies();

// One s3rver for the file; each test gets a fresh prefix in its bucket.
describeStorageContract('s3 (s3rver)', async () => {
  const { storage } = s3rverStorage(await server());
  return { storage, cleanup: () => emptyStorage(storage) };
});

describe('s3 storage', () => {
  it('stores key k as object <prefix>k, and names its place without credentials', async () => {
    const s3 = await server();
    const { storage } = s3rverStorage(s3, { config: { prefix: 'nested/port-yard' } });
    await storage.put('t/db/a.sql', bodyOf([Buffer.from('hello')]));
    const client = inspectionClient(s3);
    const object = await client.send(
      new GetObjectCommand({ Bucket: s3.bucket, Key: 'nested/port-yard/t/db/a.sql' }),
    );
    expect(await object.Body?.transformToString()).toBe('hello');
    client.destroy();
    expect(storage.location).toBe(`s3://${s3.bucket}/nested/port-yard/ (${s3.endpoint})`);
    expect(storage.location).not.toContain(s3.secretAccessKey);
    await emptyStorage(storage);
  });

  it('lists page by page: every key once with a page size of 2', async () => {
    const s3 = await server();
    const via = await proxy(s3.endpoint);
    const { storage } = s3rverStorage(s3, { via, storage: { listPageSize: 2 } });
    const keys = ['a/1', 'a/2', 'a/3', 'a/4', 'a/5', 'b/1', 'b/2'];
    for (const key of keys) await storage.put(key, bodyOf([patternBytes(10)]));
    expect(await visibleKeys(storage)).toEqual(keys);
    expect(via.count('ListObjectsV2')).toBe(4);
    expect(await visibleKeys(storage, 'a/')).toEqual(keys.slice(0, 5));
    expect(via.count('ListObjectsV2')).toBe(7);
    await emptyStorage(storage);
  });

  it('keeps storages with different prefixes in one bucket apart', async () => {
    const s3 = await server();
    // `iso-x` is a string prefix of `iso-xy`: only the normalized `iso-x/` keeps them apart.
    const x = s3rverStorage(s3, { config: { prefix: 'iso-x' } }).storage;
    const xy = s3rverStorage(s3, { config: { prefix: 'iso-xy' } }).storage;
    await x.put('k', bodyOf([Buffer.from('x')]));
    await xy.put('k', bodyOf([Buffer.from('xy')]));
    await xy.put('only-xy', bodyOf([Buffer.from('xy')]));
    expect(await visibleKeys(x)).toEqual(['k']);
    expect(await visibleKeys(xy)).toEqual(['k', 'only-xy']);
    expect(await x.stat('only-xy')).toBeUndefined();
    await x.delete('k');
    expect(await visibleKeys(xy)).toEqual(['k', 'only-xy']);
    await emptyStorage(xy);
  });

  it('counts an object listed without LastModified as modified now, never as old', async () => {
    const s3 = await server();
    const config = s3rverConfig(s3);
    const client = createS3Client(config);
    // A store that leaves LastModified out of ListObjectsV2: drop it from s3rver's real answers.
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const output = result.output as { Contents?: { LastModified?: Date }[] };
        for (const object of output.Contents ?? []) delete object.LastModified;
        return result;
      },
      { step: 'initialize', name: 'dropLastModified' },
    );
    const storage = createS3Storage('s3-test', config, { client });
    await storage.put('t/db/a.sql', bodyOf([Buffer.from('x')]));
    const before = Date.now();
    const listed = await collect(storage.list(''));
    expect(listed.map((info) => info.key)).toEqual(['t/db/a.sql']);
    expect(listed[0]!.modifiedAt.getTime()).toBeGreaterThanOrEqual(before);
    await emptyStorage(storage);
    client.destroy();
  });

  it('defaults to WHEN_REQUIRED checksums with an endpoint, WHEN_SUPPORTED on AWS', async () => {
    const s3 = await server();
    const modes = async (overrides: Record<string, unknown>): Promise<string[]> => {
      const client = createS3Client(s3rverConfig(s3, s3, overrides));
      const result = [
        await client.config.requestChecksumCalculation(),
        await client.config.responseChecksumValidation(),
      ];
      client.destroy();
      return result;
    };
    expect(await modes({})).toEqual(['WHEN_REQUIRED', 'WHEN_REQUIRED']);
    expect(await modes({ endpoint: undefined })).toEqual(['WHEN_SUPPORTED', 'WHEN_SUPPORTED']);
    expect(await modes({ checksums: 'when-supported' })).toEqual(['WHEN_SUPPORTED', 'WHEN_SUPPORTED']);
  });

  it('streams a 21 MiB body as a multipart upload, byte-exact', async () => {
    const s3 = await server();
    const via = await proxy(s3.endpoint);
    const { storage } = s3rverStorage(s3, { via, config: { partSizeMiB: 5, parallelParts: 3 } });
    const data = randomBytes(21 * MiB + 17);
    expect(await storage.put('t/db/big', slowBody(data, 256 * 1024, 0))).toEqual({ bytes: data.length });
    expect(via.count('CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload')).toBe(1 + 5 + 1);
    const back = await sha256Of(await storage.get('t/db/big'));
    expect(back).toEqual({ sha256: sha256(data), bytes: data.length });
    const tail = await sha256Of(await storage.get('t/db/big', { range: { start: 10 * MiB } }));
    expect(tail.sha256).toBe(sha256(data.subarray(10 * MiB)));
    await emptyStorage(storage);
  });

  it('applies the storage class and server-side encryption to uploads', async () => {
    const s3 = await server();
    const via = await proxy(s3.endpoint);
    const config = { storageClass: 'STANDARD_IA', serverSideEncryption: 'aws:kms', kmsKeyId: 'key-1' };
    const { storage, config: parsed } = s3rverStorage(s3, { via, config: { ...config, partSizeMiB: 5 } });
    await storage.put('small', bodyOf([patternBytes(100)]));
    await storage.put('large', bodyOf([randomBytes(6 * MiB)]));
    for (const sent of via.requests.filter(isOperation('PutObject', 'CreateMultipartUpload'))) {
      expect(sent.headers).toMatchObject({
        'x-amz-storage-class': 'STANDARD_IA',
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'key-1',
      });
    }
    expect(via.count('PutObject', 'CreateMultipartUpload')).toBe(2);
    const client = inspectionClient(s3);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: s3.bucket, Key: `${parsed.prefix}large` }),
    );
    expect(head.StorageClass).toBe('STANDARD_IA');
    client.destroy();
    await emptyStorage(storage);
  });

  it('sweeps incomplete multipart uploads under its prefix older than the age, and nothing else', async () => {
    const s3 = await server();
    let now = Date.now();
    const { storage, config } = s3rverStorage(s3, { storage: { now: () => now } });
    const other = s3rverConfig(s3);
    const client = inspectionClient(s3);
    // A key Port-Yard writes (an artifact's data): the sweep leaves any other key alone.
    const left = 't/db/2026-11-26T03-28-22Z_iy5atpwg4r.sql.zst';
    for (const key of [`${config.prefix}${left}`, `${other.prefix}${left}`]) {
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: key }),
      );
      await client.send(
        new UploadPartCommand({
          Bucket: s3.bucket,
          Key: key,
          UploadId,
          PartNumber: 1,
          Body: patternBytes(100),
        }),
      );
    }
    expect(await storage.sweepTemporary(60 * 60_000)).toEqual([]);
    expect(await incompleteUploads(s3, config.prefix)).toEqual([`${config.prefix}${left}`]);
    now += 2 * 60 * 60_000;
    expect(await storage.sweepTemporary(60 * 60_000)).toEqual([left]);
    expect(await incompleteUploads(s3, config.prefix)).toEqual([]);
    expect(await incompleteUploads(s3, other.prefix)).toEqual([`${other.prefix}${left}`]);
    await expect(storage.sweepTemporary(-1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await s3rverStorage(s3, { config: { prefix: other.prefix } }).storage.sweepTemporary(0);
    client.destroy();
  });

  it('deletes many keys in batches of 1,000, missing ones included', async () => {
    const s3 = await server();
    const via = await proxy(s3.endpoint);
    const { storage } = s3rverStorage(s3, { via });
    for (const key of ['r/1', 'r/2', 'keep']) await storage.put(key, bodyOf([patternBytes(10)]));
    const missing = Array.from({ length: 1100 }, (_, i) => `r/missing-${i}`);
    await storage.deleteMany(['r/1', ...missing, 'r/2']);
    expect(via.count('DeleteObjects')).toBe(2);
    expect(await visibleKeys(storage)).toEqual(['keep']);
    await expect(storage.deleteMany(['ok', '../bad'])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await visibleKeys(storage)).toEqual(['keep']);
    await emptyStorage(storage);
  });
});
