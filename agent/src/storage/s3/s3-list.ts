import { DeleteObjectCommand, DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { PortYardError } from '@port-yard/shared';
import type { ObjectInfo } from '../storage.ts';
import { assertStorageKey, assertStoragePrefix } from '../storage-key.ts';
import type { S3Context } from './s3-context.ts';
import { isMissingObject, s3Failed } from './s3-errors.ts';

/** DeleteObjects takes at most 1,000 keys per request. */
const deleteBatch = 1000;

/**
 * `Storage.list` on S3: ListObjectsV2 under `<storage prefix><prefix>`, page by page (`pageSize`
 * keys per request, S3's maximum 1,000 when undefined). Keys come back without the storage
 * prefix; objects whose names are not storage keys (a console's `folder/` marker, `a//b`) are
 * not objects of this storage and are skipped. Incomplete multipart uploads are never listed.
 */
export async function* listObjects(
  context: S3Context,
  prefix: string,
  pageSize: number | undefined,
): AsyncGenerator<ObjectInfo> {
  assertStoragePrefix(prefix);
  let token: string | undefined;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await context.client.send(
        new ListObjectsV2Command({
          Bucket: context.bucket,
          Prefix: context.prefix + prefix,
          ...(token === undefined ? {} : { ContinuationToken: token }),
          ...(pageSize === undefined ? {} : { MaxKeys: pageSize }),
        }),
      );
    } catch (error) {
      throw s3Failed(context, { operation: 'ListObjectsV2' }, error);
    }
    for (const object of page.Contents ?? []) {
      const key = object.Key?.startsWith(context.prefix)
        ? object.Key.slice(context.prefix.length)
        : undefined;
      if (key === undefined || !isStorageKey(key)) continue;
      // A store that leaves out LastModified gives no age: count it as modified now, so the orphan
      // sweep never finds it old enough to delete (1970 would make every such object look ancient).
      yield { key, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date() };
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/** `Storage.delete` on S3: DeleteObject, which S3 answers 204 whether or not the key existed. */
export async function deleteObject(context: S3Context, key: string): Promise<void> {
  try {
    await context.client.send(
      new DeleteObjectCommand({ Bucket: context.bucket, Key: context.objectKey(key) }),
    );
  } catch (error) {
    // Some S3-compatible stores answer 404 for a missing key: deleting it is still done.
    if (!isMissingObject(error)) throw s3Failed(context, { operation: 'DeleteObject', key }, error);
  }
}

/**
 * Deletes many objects with DeleteObjects, 1,000 keys per request (retention removing whole
 * artifacts). Missing keys are not an error. Every key is checked before anything is deleted;
 * rejects STORAGE_FAILED naming the first key S3 refused, after trying every batch once.
 */
export async function deleteObjects(context: S3Context, keys: readonly string[]): Promise<void> {
  for (const key of keys) assertStorageKey(key);
  const refused: { key: string; code: string; message: string }[] = [];
  for (let offset = 0; offset < keys.length; offset += deleteBatch) {
    const batch = keys.slice(offset, offset + deleteBatch);
    const command = new DeleteObjectsCommand({
      Bucket: context.bucket,
      Delete: { Objects: batch.map((key) => ({ Key: context.objectKey(key) })), Quiet: true },
    });
    let errors;
    try {
      errors = (await context.client.send(command)).Errors ?? [];
    } catch (error) {
      throw s3Failed(context, { operation: 'DeleteObjects', key: batch[0] }, error);
    }
    for (const error of errors) {
      if (error.Code === 'NoSuchKey') continue;
      const key = (error.Key ?? '').slice(context.prefix.length);
      refused.push({ key, code: error.Code ?? 'UNKNOWN', message: error.Message ?? '' });
    }
  }
  const [first] = refused;
  if (first === undefined) return;
  const message = `storage "${context.name}": S3 DeleteObjects refused ${refused.length} of ${keys.length} objects, first ${context.urlOf(first.key)}: ${first.code} ${first.message}`;
  throw new PortYardError('STORAGE_FAILED', message.trim(), { phase: 'store' });
}

function isStorageKey(key: string): boolean {
  try {
    assertStorageKey(key);
    return true;
  } catch {
    return false;
  }
}
