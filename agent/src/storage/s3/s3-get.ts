import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { PortYardError } from '@port-yard/shared';
import { addAbortSignal, Readable } from 'node:stream';
import type { GetOptions, ObjectInfo } from '../storage.ts';
import type { S3Context } from './s3-context.ts';
import { httpStatusOf, isMissingObject, s3Broken, s3Cancelled, s3CodeOf, s3Failed } from './s3-errors.ts';
import { checkedDownload, servedRangeProblem } from './s3-download.ts';
import { assertByteRange } from '../storage-key.ts';

/**
 * `Storage.get` on S3: GetObject with `Range: bytes=a-b`. A start at or past the end is answered
 * 416 InvalidRange by S3: that is an empty stream, as the contract says. A missing object rejects
 * NOT_FOUND before any stream exists. The stream errors (STORAGE_FAILED) when the download breaks
 * off or ends short, never ends silently short; aborting `signal` destroys it with an AbortError.
 */
export async function getObject(
  context: S3Context,
  key: string,
  options: GetOptions = {},
): Promise<Readable> {
  const { range, signal } = options;
  if (range !== undefined) assertByteRange(range);
  if (signal?.aborted) throw s3Cancelled(context, `get of "${key}"`, signal.reason);
  let response: GetObjectCommandOutput;
  try {
    const command = new GetObjectCommand({
      Bucket: context.bucket,
      Key: context.objectKey(key),
      ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end ?? ''}` }),
    });
    response = await context.client.send(command, signal === undefined ? {} : { abortSignal: signal });
  } catch (error) {
    if (signal?.aborted) throw s3Cancelled(context, `get of "${key}"`, signal.reason);
    if (range !== undefined && (httpStatusOf(error) === 416 || s3CodeOf(error) === 'InvalidRange')) {
      return withSignal(Readable.from([]), signal);
    }
    if (isMissingObject(error)) throw notFound(context, key);
    throw s3Failed(context, { operation: 'GetObject', key }, error);
  }
  const body = response.Body as Readable;
  const problem = range === undefined ? undefined : servedRangeProblem(range, response);
  if (problem !== undefined) {
    body.destroy();
    throw s3Broken(context, { operation: 'GetObject', key }, { what: problem });
  }
  const broken = (what: string, cause?: unknown): PortYardError =>
    s3Broken(context, { operation: 'GetObject', key }, { what, cause });
  return withSignal(checkedDownload(body, response.ContentLength, broken), signal);
}

/** `Storage.stat` on S3: HeadObject; undefined when S3 says 404. */
export async function statObject(context: S3Context, key: string): Promise<ObjectInfo | undefined> {
  try {
    const head = await context.client.send(
      new HeadObjectCommand({ Bucket: context.bucket, Key: context.objectKey(key) }),
    );
    return { key, size: head.ContentLength ?? 0, modifiedAt: head.LastModified ?? new Date(0) };
  } catch (error) {
    // A HEAD answer has no body: a missing bucket is a plain 404 too, and reads as "no object".
    if (isMissingObject(error)) return undefined;
    throw s3Failed(context, { operation: 'HeadObject', key }, error);
  }
}

function withSignal(stream: Readable, signal: AbortSignal | undefined): Readable {
  return signal === undefined ? stream : addAbortSignal(signal, stream);
}

function notFound(context: S3Context, key: string): PortYardError {
  return new PortYardError('NOT_FOUND', `storage "${context.name}": no object "${key}"`);
}
