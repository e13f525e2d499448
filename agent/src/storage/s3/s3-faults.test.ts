import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Fault, FaultRule } from '../../../test/s3/fault-proxy.ts';
import { isOperation, useFaultProxies } from '../../../test/s3/fault-proxy.ts';
import {
  emptyStorage,
  incompleteUploads,
  MiB,
  s3rverStorage,
  sha256,
  sha256Of,
} from '../../../test/s3/s3-test-storage.ts';
import { useS3rver } from '../../../test/s3/s3rver.ts';
import {
  bodyOf,
  getBytes,
  patternBytes,
  readAll,
  slowBody,
  visibleKeys,
} from '../storage-contract-bodies.ts';

/**
 * The network and the server misbehaving, through a fault proxy in front of s3rver: transient
 * faults are retried and the object is byte-exact; faults that persist beyond `maxAttempts` fail
 * the put with nothing visible; a download that breaks off errors instead of ending short.
 */
const server = useS3rver();
const proxy = useFaultProxies();
const slowDown: Fault = { kind: 'status', status: 503, code: 'SlowDown' };
const internalError: Fault = { kind: 'status', status: 500, code: 'InternalError' };
const reset: Fault = { kind: 'reset' };
// 16 MiB in 5 MiB parts: 4 parts, 2 in flight at a time.
const multipart = { partSizeMiB: 5, parallelParts: 2, maxAttempts: 3 };
const data = randomBytes(16 * MiB + 5);

async function faultyStorage(
  plan: readonly FaultRule[],
  storage: { requestTimeoutMs?: number; answerTimeoutMs?: number } = {},
) {
  const s3 = await server();
  const via = await proxy(s3.endpoint, plan);
  return { via, s3, ...s3rverStorage(s3, { via, config: multipart, storage }) };
}

describe('s3 transient faults are retried', () => {
  it('retries 503 SlowDown on parts and 500 on CompleteMultipartUpload; the object is byte-exact', async () => {
    const { via, storage } = await faultyStorage([
      { match: isOperation('UploadPart'), fault: slowDown, skip: 1, times: 2 },
      { match: isOperation('CompleteMultipartUpload'), fault: internalError, times: 1 },
    ]);
    expect(await storage.put('t/db/a', slowBody(data, 256 * 1024, 0))).toEqual({ bytes: data.length });
    expect(via.count('UploadPart')).toBe(4 + 2);
    expect(via.count('CompleteMultipartUpload')).toBe(2);
    expect(via.requests.filter((r) => r.fault !== undefined)).toHaveLength(3);
    expect((await sha256Of(await storage.get('t/db/a'))).sha256).toBe(sha256(data));
    await emptyStorage(storage);
  });

  it('retries 5xx answers to every other operation', async () => {
    const { via, storage } = await faultyStorage(
      ['CreateMultipartUpload', 'PutObject', 'GetObject', 'HeadObject', 'ListObjectsV2', 'DeleteObject'].map(
        (name, i) => ({ match: isOperation(name), fault: i % 2 === 0 ? internalError : slowDown, times: 1 }),
      ),
    );
    const small = patternBytes(1000);
    await storage.put('t/db/big', bodyOf([data]));
    await storage.put('t/db/small', bodyOf([small]));
    expect((await getBytes(storage, 't/db/small')).equals(small)).toBe(true);
    expect((await storage.stat('t/db/big'))?.size).toBe(data.length);
    expect(await visibleKeys(storage)).toEqual(['t/db/big', 't/db/small']);
    await storage.delete('t/db/small');
    expect(via.requests.filter((r) => r.fault !== undefined)).toHaveLength(6);
    expect((await sha256Of(await storage.get('t/db/big'))).sha256).toBe(sha256(data));
    await emptyStorage(storage);
  });

  it('retries connection resets on parts, on the commit and on a read', async () => {
    const { via, storage } = await faultyStorage([
      { match: isOperation('UploadPart'), fault: reset, skip: 2, times: 2 },
      { match: isOperation('CompleteMultipartUpload'), fault: reset, times: 1 },
      { match: isOperation('GetObject'), fault: reset, times: 1 },
    ]);
    await storage.put('t/db/r', bodyOf([data]));
    expect(via.count('UploadPart')).toBe(4 + 2);
    expect((await sha256Of(await storage.get('t/db/r'))).sha256).toBe(sha256(data));
    expect(via.requests.filter((r) => r.fault === 'reset')).toHaveLength(4);
    await emptyStorage(storage);
  });

  it('retries a part whose answer is slower than the request timeout', async () => {
    const { via, storage } = await faultyStorage(
      [{ match: isOperation('UploadPart'), fault: { kind: 'delay', ms: 5_000 }, skip: 1, times: 1 }],
      { requestTimeoutMs: 2_000 },
    );
    await storage.put('t/db/slow', bodyOf([data]));
    expect(via.count('UploadPart')).toBe(4 + 1);
    expect((await sha256Of(await storage.get('t/db/slow'))).sha256).toBe(sha256(data));
    await emptyStorage(storage);
  });
});

describe('s3 requests a store takes but never answers', () => {
  // A hung store (or a dead load balancer that takes connections) held every request of a list
  // for the uploads' timeout (2 min 16 s per attempt): a restore from the other, healthy storage
  // waited more than 11 minutes, saying nothing.
  it("a list fails after the short answer timeout, not the uploads' minutes", async () => {
    const s3 = await server();
    const via = await proxy(s3.endpoint, [
      { match: isOperation('ListObjectsV2'), fault: { kind: 'delay', ms: 60_000 } },
    ]);
    const { storage } = s3rverStorage(s3, { via, config: { maxAttempts: 1 } });
    const started = Date.now();
    await expect(visibleKeys(storage)).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('ListObjectsV2'),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 40_000);

  it('an upload part still gets the long timeout', async () => {
    const { via, storage } = await faultyStorage(
      [{ match: isOperation('UploadPart'), fault: { kind: 'delay', ms: 3_000 }, times: 1 }],
      { answerTimeoutMs: 1_000 },
    );
    await storage.put('t/db/slow', bodyOf([data]));
    expect(via.count('UploadPart')).toBe(4);
    expect((await sha256Of(await storage.get('t/db/slow'))).sha256).toBe(sha256(data));
    await emptyStorage(storage);
  });
});

describe('s3 downloads that break off', () => {
  it('errors the get stream of a truncated response instead of ending short', async () => {
    const { via, storage } = await faultyStorage([]);
    await storage.put('t/db/t', bodyOf([data]));
    via.setPlan([{ match: isOperation('GetObject'), fault: { kind: 'truncate', keepBytes: 3 * MiB } }]);
    const broken = { code: 'STORAGE_FAILED', message: expect.stringContaining('the download broke off') };
    await expect(readAll(await storage.get('t/db/t'))).rejects.toMatchObject(broken);
    const ranged = await storage.get('t/db/t', { range: { start: MiB, end: 8 * MiB } });
    await expect(readAll(ranged)).rejects.toMatchObject(broken);
    via.setPlan([]);
    expect((await sha256Of(await storage.get('t/db/t'))).sha256).toBe(sha256(data));
    await emptyStorage(storage);
  });
});

describe('s3 faults beyond maxAttempts', () => {
  const old = patternBytes(3000, 4);

  it.each([
    ['503 on every part', { match: isOperation('UploadPart'), fault: slowDown }, 'SlowDown'],
    ['resets of every part', { match: isOperation('UploadPart'), fault: reset }, 'no answer'],
    [
      '500 on every commit',
      { match: isOperation('CompleteMultipartUpload'), fault: internalError },
      'InternalError',
    ],
  ] as const)('%s: the put fails and nothing new is visible', async (_label, rule, detail) => {
    const { via, s3, storage, config } = await faultyStorage([]);
    await storage.put('t/db/k', bodyOf([old]));
    via.setPlan([rule]);
    await expect(storage.put('t/db/k', bodyOf([data]))).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(new RegExp(`${detail}.*3 attempts`)),
    });
    expect(via.requests.filter((r) => r.fault !== undefined).length).toBeGreaterThanOrEqual(3);
    expect(via.count('AbortMultipartUpload')).toBe(1);
    expect((await getBytes(storage, 't/db/k')).equals(old)).toBe(true);
    expect(await visibleKeys(storage)).toEqual(['t/db/k']);
    expect(await incompleteUploads(s3, config.prefix)).toEqual([]);
    await emptyStorage(storage);
  });

  it('fails a small put after 3 attempts with nothing stored', async () => {
    const { via, storage } = await faultyStorage([{ match: isOperation('PutObject'), fault: internalError }]);
    await expect(storage.put('t/db/s', bodyOf([patternBytes(100)]))).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('PutObject of s3://'),
    });
    expect(via.count('PutObject')).toBe(3);
    expect(await visibleKeys(storage)).toEqual([]);
  });
});
