import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Context } from './s3-context.ts';
import { s3Cancelled, s3Failed } from './s3-errors.ts';
import type { S3Operation } from './s3-errors.ts';

type AnyCommand = Parameters<S3Client['send']>[0];
type Send = (
  command: AnyCommand,
  options?: { abortSignal?: AbortSignal; requestTimeout?: number },
) => Promise<unknown>;

export interface PutClient {
  /** The client to give lib-storage's `Upload` for this one put. */
  readonly client: S3Client;
  /** Bytes of the parts (or the single PUT) stored so far. */
  bytes(): number;
  /** The first request that failed (after the SDK's retries), if any. */
  failure(): unknown;
  /** Why AbortMultipartUpload failed, if it did: the upload is then left for `sweepTemporary`. */
  abortFailure(): unknown;
}

/**
 * A per-put view of the storage's client, through which lib-storage's `Upload` sends its requests,
 * so that this backend, not `Upload`, decides what a cancelled put may still send:
 * - Once `signal` aborts, no new part and no CompleteMultipartUpload is sent (the put rejects
 *   CANCELLED and nothing becomes visible); a part upload in flight is cut off at once.
 *   CreateMultipartUpload is never cut off, so an upload the server started is always known and
 *   aborted. A CompleteMultipartUpload already sent is the commit: it is let finish.
 * - AbortMultipartUpload failing does not replace the put's first error (lib-storage would throw
 *   the abort's error instead); it is recorded for the message.
 * - Failures are classified here, where the operation is known (s3Failed).
 * `Upload.abort()` is not used: its `done()` rejects at once, before the in-flight parts settle
 * and before the multipart upload is aborted, so "rejected" would not yet mean "nothing left".
 */
export function createPutClient(context: S3Context, key: string, signal: AbortSignal | undefined): PutClient {
  const clientSend = context.client.send.bind(context.client) as Send;
  // Upload requests send a part: they get the long timeout, not the client's short one for answers.
  const timeout = context.uploadTimeoutMs === undefined ? {} : { requestTimeout: context.uploadTimeoutMs };
  const send: Send = (command, options) => clientSend(command, { ...timeout, ...options });
  let bytes = 0;
  let failure: unknown;
  let abortFailure: unknown;
  const guardedSend = async (command: AnyCommand): Promise<unknown> => {
    const operation = operationOf(command);
    if (operation === 'AbortMultipartUpload') {
      return send(command).catch((error: unknown) => {
        abortFailure ??= error;
        return {};
      });
    }
    if (signal?.aborted) throw s3Cancelled(context, `put of "${key}"`, signal.reason);
    const cutOff = operation === 'UploadPart' && signal !== undefined ? { abortSignal: signal } : {};
    try {
      const output = await send(command, cutOff);
      bytes += bodyLength(command);
      return output;
    } catch (error) {
      const classified = s3Failed(context, { operation, key }, error);
      failure ??= classified;
      throw classified;
    }
  };
  // Everything else (config, middleware stack) is the storage's client, through the prototype.
  const client = Object.create(context.client, { send: { value: guardedSend } }) as S3Client;
  return { client, bytes: () => bytes, failure: () => failure, abortFailure: () => abortFailure };
}

function operationOf(command: AnyCommand): S3Operation {
  if (command instanceof UploadPartCommand) return 'UploadPart';
  if (command instanceof PutObjectCommand) return 'PutObject';
  if (command instanceof CreateMultipartUploadCommand) return 'CreateMultipartUpload';
  if (command instanceof CompleteMultipartUploadCommand) return 'CompleteMultipartUpload';
  if (command instanceof AbortMultipartUploadCommand) return 'AbortMultipartUpload';
  // Upload sends PutObjectTagging only with `tags`, which this backend never gives.
  throw new Error(`unexpected S3 command in an upload: ${command.constructor.name}`);
}

function bodyLength(command: AnyCommand): number {
  if (!(command instanceof UploadPartCommand || command instanceof PutObjectCommand)) return 0;
  const body: unknown = command.input.Body;
  return body instanceof Uint8Array ? body.byteLength : 0;
}
