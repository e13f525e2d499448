import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { incompleteUploads, inspectionClient, s3rverStorage } from '../../../test/s3/s3-test-storage.ts';
import { useS3rver } from '../../../test/s3/s3rver.ts';
import { patternBytes } from '../storage-contract-bodies.ts';
import { isArtifactDataKey } from './s3-sweep.ts';

// A server of its own: the storages here with prefix '' own the whole bucket.
const server = useS3rver();

const id = '2026-11-26T03-28-22Z_iy5atpwg4r';

/** Starts a multipart upload of `key` with one part, as a put killed mid-way leaves it. */
async function leaveUpload(client: S3Client, bucket: string, key: string): Promise<void> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  await client.send(
    new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: patternBytes(100) }),
  );
}

describe('s3 sweep of incomplete uploads', () => {
  it("aborts only Port-Yard's own uploads in a whole bucket, never another application's", async () => {
    const s3 = await server();
    const client = inspectionClient(s3);
    const ours = [`warehouse/shop/${id}.sql.zst`, `pg/app_db/${id}.pgdump.gz.age`];
    const foreign = [
      'other-app/video.mp4',
      'video.mp4',
      'other-app/db/notes.sql',
      `other-app/deep/warehouse/shop/${id}.sql`,
      `warehouse/shop/${id}.manifest.json`,
      `warehouse/shop/${id}.sql.bak`,
    ];
    for (const key of [...foreign, ...ours]) await leaveUpload(client, s3.bucket, key);
    // Every upload is an hour old to this storage, and the grace is 0: only the shape decides.
    const later = Date.now() + 60 * 60_000;
    const { storage } = s3rverStorage(s3, { config: { prefix: '' }, storage: { now: () => later } });
    expect((await storage.sweepTemporary(0)).sort()).toEqual([...ours].sort());
    expect((await incompleteUploads(s3, '')).sort()).toEqual([...foreign].sort());
    expect(await storage.sweepTemporary(0)).toEqual([]);
    expect((await incompleteUploads(s3, '')).sort()).toEqual([...foreign].sort());
    client.destroy();
  });

  it("judges the key below the storage's prefix, and leaves what is not ours there too", async () => {
    const s3 = await server();
    const client = inspectionClient(s3);
    const prefix = 'backups/port-yard/';
    const { storage } = s3rverStorage(s3, {
      config: { prefix },
      storage: { now: () => Date.now() + 60_000 },
    });
    const ours = `${prefix}warehouse/shop/${id}.sql`;
    const foreign = [`${prefix}other-app/video.mp4`, `${prefix}notes.txt`];
    for (const key of [ours, ...foreign]) await leaveUpload(client, s3.bucket, key);
    expect(await storage.sweepTemporary(0)).toEqual([`warehouse/shop/${id}.sql`]);
    expect((await incompleteUploads(s3, prefix)).sort()).toEqual([...foreign].sort());
    client.destroy();
  });

  it('recognizes artifact data keys and nothing else', () => {
    for (const key of [
      `t/db/${id}.sql`,
      `t/db/${id}.sql.gz`,
      `t/db/${id}.sql.zst.age`,
      `t/db/${id}.pgdump`,
      `my-target/Datenbank_ä$/${id}.pgdump.zst`,
    ]) {
      expect(isArtifactDataKey(key), key).toBe(true);
    }
    for (const key of [
      '',
      'video.mp4',
      'other-app/video.mp4',
      `${id}.sql`,
      `db/${id}.sql`,
      `x/t/db/${id}.sql`,
      `t/db/${id}`,
      `t/db/${id}.`,
      `t/db/${id}.manifest.json`,
      `t/db/${id}.pin.json`,
      `t/db/${id}.sql.zst.tmp`,
      `t/db/${id}.zst`,
      `t/db/x${id}.sql`,
      `t/db/2026-11-26T03-28-22Z_IY5ATPWG4R.sql`,
      `Upper/db/${id}.sql`,
      `t/-db/${id}.sql`,
    ]) {
      expect(isArtifactDataKey(key), key).toBe(false);
    }
  });
});
