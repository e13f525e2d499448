import { AbortMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { ListMultipartUploadsCommandOutput, MultipartUpload } from '@aws-sdk/client-s3';
import { databaseNamePattern, PortYardError, resourceNamePattern } from '@port-yard/shared';
import { parseArtifactKey } from '../../artifacts/artifact-keys.ts';
import type { S3Context } from './s3-context.ts';
import { s3CodeOf, s3Failed } from './s3-errors.ts';

/**
 * `Storage.sweepTemporary` on S3: the temporary data of a put is an incomplete multipart upload
 * (a put killed before it could abort its own). Aborts the ones under the storage prefix that
 * started before `now - olderThanMs` and whose key is an artifact data object
 * (`isArtifactDataKey`), so their parts stop costing storage, and returns their keys (a key twice
 * if two uploads of it were left). Every other upload is left alone: the prefix may be '' (the
 * whole bucket) or shared with other software, whose uploads in progress are none of our business.
 * Only data objects are multipart uploads (manifests and sidecars are far smaller than a part, so
 * a single PutObject). A bucket lifecycle rule (AbortIncompleteMultipartUpload) removes every
 * abandoned upload on AWS without the agent.
 */
export async function sweepIncompleteUploads(
  context: S3Context,
  olderThanMs: number,
  now: number,
): Promise<string[]> {
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
    throw new PortYardError('INVALID_INPUT', `sweepTemporary needs an age >= 0 ms, got ${olderThanMs}`);
  }
  const cutoff = now - olderThanMs;
  const stale = (await listUploads(context)).filter(
    (upload) =>
      upload.Initiated !== undefined &&
      upload.Initiated.getTime() < cutoff &&
      upload.Key !== undefined &&
      isArtifactDataKey(upload.Key.slice(context.prefix.length)),
  );
  const swept: string[] = [];
  for (const { Key, UploadId } of stale) {
    if (Key === undefined || UploadId === undefined) continue;
    const key = Key.slice(context.prefix.length);
    try {
      await context.client.send(new AbortMultipartUploadCommand({ Bucket: context.bucket, Key, UploadId }));
    } catch (error) {
      // Completed or aborted since it was listed: gone either way.
      if (s3CodeOf(error) !== 'NoSuchUpload')
        throw s3Failed(context, { operation: 'AbortMultipartUpload', key }, error);
    }
    swept.push(key);
  }
  return swept;
}

async function listUploads(context: S3Context): Promise<MultipartUpload[]> {
  const uploads: MultipartUpload[] = [];
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    let page: ListMultipartUploadsCommandOutput;
    try {
      page = await context.client.send(
        new ListMultipartUploadsCommand({ Bucket: context.bucket, Prefix: context.prefix, ...markers }),
      );
    } catch (error) {
      throw s3Failed(context, { operation: 'ListMultipartUploads' }, error);
    }
    uploads.push(...(page.Uploads ?? []).filter((upload) => upload.Key?.startsWith(context.prefix)));
    if (page.IsTruncated !== true || page.NextKeyMarker === undefined) return uploads;
    markers = {
      KeyMarker: page.NextKeyMarker,
      ...(page.NextUploadIdMarker === undefined ? {} : { UploadIdMarker: page.NextUploadIdMarker }),
    };
  }
}

/** `<artifactId>.<ext>`: `sql` or `pgdump`, then `.zst` or `.gz`, then `.age` (docs/artifact-format.md). */
const dataExtension = /^\.(?:sql|pgdump)(?:\.zst|\.gz)?(?:\.age)?$/;

/**
 * Whether a storage key is one Port-Yard writes as an artifact's data:
 * `<target>/<database>/<artifactId>.<ext>` (`artifact-keys.ts`), with the target and database
 * names the config accepts. Nothing else under the prefix is ours to abort.
 */
export function isArtifactDataKey(key: string): boolean {
  const parsed = parseArtifactKey(key);
  if (!parsed || !dataExtension.test(parsed.rest)) return false;
  const [target, database] = parsed.folder.split('/') as [string, string];
  return resourceNamePattern.test(target) && databaseNamePattern.test(database);
}
