import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isOperation, useFaultProxies } from '../../../test/s3/fault-proxy.ts';
import { emptyStorage, incompleteUploads, MiB, s3rverStorage } from '../../../test/s3/s3-test-storage.ts';
import { useS3rver } from '../../../test/s3/s3rver.ts';
import {
  bodyOf,
  failingBody,
  getBytes,
  heldBody,
  patternBytes,
  visibleKeys,
} from '../storage-contract-bodies.ts';

/** Puts that fail or are cancelled leave nothing in the bucket; credentials errors say what to fix. */
const server = useS3rver();
const proxy = useFaultProxies();
const multipart = { partSizeMiB: 5, parallelParts: 2 };

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 15_000; !condition(); await delay(10)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('s3 puts that do not finish', () => {
  it('aborts the multipart upload when the body fails after some parts, rejecting with its error', async () => {
    const s3 = await server();
    const via = await proxy(s3.endpoint);
    const { storage, config } = s3rverStorage(s3, { via, config: multipart });
    const boom = new Error('dump died');
    await expect(storage.put('t/db/x', failingBody(randomBytes(12 * MiB), boom))).rejects.toBe(boom);
    expect(via.count('CreateMultipartUpload')).toBe(1);
    expect(via.count('UploadPart')).toBe(2);
    expect(via.count('AbortMultipartUpload')).toBe(1);
    expect(via.count('CompleteMultipartUpload')).toBe(0);
    expect(await visibleKeys(storage)).toEqual([]);
    expect(await incompleteUploads(s3, config.prefix)).toEqual([]);
  });

  it('rejects CANCELLED mid-upload, keeps the old object, and leaves no upload behind', async () => {
    const s3 = await server();
    const via = await proxy(s3.endpoint);
    const { storage, config } = s3rverStorage(s3, { via, config: multipart });
    const old = patternBytes(1000, 1);
    await storage.put('t/db/k', bodyOf([old]));
    const controller = new AbortController();
    const body = heldBody();
    const putting = storage.put('t/db/k', body, { signal: controller.signal });
    body.write(randomBytes(11 * MiB));
    await waitFor(() => via.count('UploadPart') >= 2, 'two parts');
    controller.abort(new Error('user pressed stop'));
    await expect(putting).rejects.toMatchObject({ name: 'PortYardError', code: 'CANCELLED' });
    expect(body.destroyed).toBe(true);
    expect(via.count('AbortMultipartUpload')).toBe(1);
    expect(via.count('CompleteMultipartUpload')).toBe(0);
    expect((await getBytes(storage, 't/db/k')).equals(old)).toBe(true);
    expect(await incompleteUploads(s3, config.prefix)).toEqual([]);
    await emptyStorage(storage);
  });

  it('cuts off a part upload in flight when cancelled, without waiting for its answer', async () => {
    const s3 = await server();
    const via = await proxy(s3.endpoint, [
      { match: isOperation('UploadPart'), fault: { kind: 'delay', ms: 20_000 } },
    ]);
    const { storage, config } = s3rverStorage(s3, { via, config: multipart });
    const controller = new AbortController();
    const putting = storage.put('t/db/slow', bodyOf([randomBytes(12 * MiB)]), { signal: controller.signal });
    await waitFor(() => via.count('UploadPart') >= 2, 'two parts in flight');
    const started = Date.now();
    controller.abort();
    await expect(putting).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await incompleteUploads(s3, config.prefix)).toEqual([]);
    expect(await visibleKeys(storage)).toEqual([]);
  });

  it('rejects with the body error even when aborting the upload fails, and the sweep removes it', async () => {
    const s3 = await server();
    const via = await proxy(s3.endpoint, [
      {
        match: isOperation('AbortMultipartUpload'),
        fault: { kind: 'status', status: 500, code: 'InternalError' },
      },
    ]);
    const { storage, config } = s3rverStorage(s3, { via, config: { ...multipart, maxAttempts: 2 } });
    const boom = new Error('compressor died');
    const left = 't/db/2026-11-26T03-28-22Z_iy5atpwg4r.sql.zst';
    await expect(storage.put(left, failingBody(randomBytes(6 * MiB), boom))).rejects.toBe(boom);
    expect(via.count('AbortMultipartUpload')).toBe(2);
    expect(await incompleteUploads(s3, config.prefix)).toEqual([`${config.prefix}${left}`]);
    via.setPlan([]);
    expect(await storage.sweepTemporary(0)).toEqual([left]);
    expect(await incompleteUploads(s3, config.prefix)).toEqual([]);
  });
});

describe('s3 credentials and bucket errors', () => {
  it('names the bucket and the permission for a wrong secret, and does not retry', async () => {
    const s3 = await server();
    const via = await proxy(s3.endpoint);
    const secret = 'not-the-secret-0123456789';
    const { storage } = s3rverStorage(s3, { via, config: { secretAccessKey: secret, ...multipart } });
    const denied = (permission: string) => ({
      name: 'PortYardError',
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(
        new RegExp(`^S3 bucket ${s3.bucket}: access denied for ${permission} .*SignatureDoesNotMatch`),
      ),
    });
    const body = bodyOf([patternBytes(100)]);
    const put = storage.put('t/db/x', body);
    await expect(put).rejects.toMatchObject(denied('s3:PutObject'));
    await expect(put).rejects.not.toThrow(secret);
    expect(body.destroyed).toBe(true);
    expect(via.count()).toBe(1);
    await expect(storage.put('t/db/y', bodyOf([randomBytes(6 * MiB)]))).rejects.toMatchObject(
      denied('s3:PutObject'),
    );
    expect(via.count('CreateMultipartUpload')).toBe(1);
    await expect(storage.get('t/db/x')).rejects.toMatchObject(denied('s3:GetObject'));
    await expect(storage.stat('t/db/x')).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    await expect(visibleKeys(storage)).rejects.toMatchObject(denied('s3:ListBucket'));
    expect(via.count()).toBe(5);
  });

  it('says when the access key id is unknown', async () => {
    const s3 = await server();
    const { storage } = s3rverStorage(s3, { config: { accessKeyId: 'NOBODY' } });
    await expect(storage.put('k', bodyOf([patternBytes(10)]))).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringContaining('InvalidAccessKeyId, the server does not know this accessKeyId'),
    });
  });

  it('says when the bucket does not exist', async () => {
    const s3 = await server();
    const { storage } = s3rverStorage(s3, { config: { bucket: 'no-such-bucket' } });
    const missing = {
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(/^S3 bucket no-such-bucket does not exist/),
    };
    await expect(visibleKeys(storage)).rejects.toMatchObject(missing);
    await expect(storage.put('k', bodyOf([patternBytes(10)]))).rejects.toMatchObject(missing);
    await expect(storage.get('k')).rejects.toMatchObject(missing);
  });
});
