import type { ServerSideEncryption, StorageClass } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { S3Context } from './s3-context.ts';
import { s3Cancelled, s3Failed } from './s3-errors.ts';
import { createPutClient } from './s3-put-client.ts';

/** How uploads are made: from the config, the same for every put of a storage. */
export interface UploadSettings {
  readonly partSizeBytes: number;
  readonly parallelParts: number;
  readonly storageClass: string | undefined;
  readonly serverSideEncryption: 'AES256' | 'aws:kms' | undefined;
  readonly kmsKeyId: string | undefined;
}

export interface S3Put {
  readonly context: S3Context;
  readonly key: string;
  readonly body: Readable;
  readonly signal: AbortSignal | undefined;
  readonly settings: UploadSettings;
}

/**
 * How S3 keeps `Storage.put`'s promises: lib-storage's `Upload` streams the body in parts of
 * `partSizeBytes`, `parallelParts` at a time (memory about partSize x (parallelParts + 1), no temp
 * file; a body smaller than one part is a single PutObject). The object becomes visible only at
 * CompleteMultipartUpload (or the single PUT), atomically replacing an older one. On any failure
 * the multipart upload is aborted before this rejects (lib-storage aborts once every part request
 * has settled), so no part is left behind; if even the abort fails, `sweepTemporary` finds it.
 * Rejects with the body's own error when the body failed, CANCELLED when `signal` aborted before
 * the commit, STORAGE_FAILED otherwise; the body is destroyed on every rejection.
 * Resolves to the number of bytes stored.
 */
export async function putObject(put: S3Put): Promise<number> {
  const { body, signal, context, key } = put;
  const putClient = createPutClient(context, key, signal);
  let bodyError: unknown;
  // Listen at once: a body failing before Upload reads it must not become an uncaught error.
  // Only an error before any request failed is the body's own: when a part fails for good,
  // Upload stops reading and the body is destroyed (an AbortError) as a consequence.
  body.on('error', (error) => {
    if (putClient.failure() === undefined) bodyError ??= error;
  });
  if (signal?.aborted) {
    body.destroy();
    throw s3Cancelled(context, `put of "${key}"`, signal.reason);
  }
  // Destroying the body ends Upload's read of it with an error; Upload then lets the parts in
  // flight settle (the put client cuts them off) and aborts the multipart upload.
  const onAbort = (): void => void body.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const upload = new Upload({
      client: putClient.client,
      params: {
        Bucket: context.bucket,
        Key: context.objectKey(key),
        Body: body,
        ...objectSettings(put.settings),
      },
      partSize: put.settings.partSizeBytes,
      queueSize: put.settings.parallelParts,
      leavePartsOnError: false,
    });
    await upload.done();
    return putClient.bytes();
  } catch (error) {
    if (!body.destroyed) body.destroy();
    if (signal?.aborted) throw s3Cancelled(context, `put of "${key}"`, signal.reason);
    if (bodyError !== undefined) throw bodyError;
    const failure = s3Failed(context, { operation: 'PutObject', key }, putClient.failure() ?? error);
    if (putClient.abortFailure() !== undefined) {
      failure.message += '; aborting the multipart upload failed too (sweepTemporary removes it later)';
    }
    throw failure;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function objectSettings(settings: UploadSettings): {
  StorageClass?: StorageClass;
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
} {
  return {
    ...(settings.storageClass === undefined ? {} : { StorageClass: settings.storageClass as StorageClass }),
    ...(settings.serverSideEncryption === undefined
      ? {}
      : { ServerSideEncryption: settings.serverSideEncryption }),
    ...(settings.kmsKeyId === undefined ? {} : { SSEKMSKeyId: settings.kmsKeyId }),
  };
}
