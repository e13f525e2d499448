import { PortYardError } from '@port-yard/shared';
import type { S3Context } from './s3-context.ts';

/** The S3 operations this backend sends, by their API names (as in IAM docs and server logs). */
export type S3Operation =
  | 'PutObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'GetObject'
  | 'HeadObject'
  | 'ListObjectsV2'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'ListMultipartUploads';

/** What was attempted: the operation, and the storage key it was for (none for a listing). */
export interface S3Attempt {
  readonly operation: S3Operation;
  readonly key?: string | undefined;
}

/** The IAM action each operation needs: what an operator must grant when it is denied. */
const permissionOf: Record<S3Operation, string> = {
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  ListObjectsV2: 's3:ListBucket',
  DeleteObject: 's3:DeleteObject',
  DeleteObjects: 's3:DeleteObject',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
};

const credentialHints: Record<string, string> = {
  InvalidAccessKeyId: 'the server does not know this accessKeyId',
  SignatureDoesNotMatch: 'the secretAccessKey does not belong to this accessKeyId',
};

const otherHints: Record<string, string> = {
  PermanentRedirect: 'the bucket is in another region: set region',
  AuthorizationHeaderMalformed: 'the bucket is in another region: set region',
};

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** HTTP status of an S3 answer, or undefined when no answer came (a network failure). */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** The S3 error code (`NoSuchKey`, `SlowDown`), or the OS code of a network failure (`ECONNRESET`). */
export function s3CodeOf(error: unknown): string {
  const shape = (error ?? {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : undefined;
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  const status = httpStatusOf(error);
  // An answer without a body (HEAD) has no S3 code: the SDK says `Unknown`, or the status.
  if (status !== undefined && (name === undefined || name === 'Unknown' || name === String(status))) {
    return `HTTP ${status}`;
  }
  return (status !== undefined ? name : (code ?? name)) ?? 'UNKNOWN';
}

/** The object (not the bucket, not an upload) does not exist. */
export function isMissingObject(error: unknown): boolean {
  const code = s3CodeOf(error);
  return code === 'NoSuchKey' || (httpStatusOf(error) === 404 && code !== 'NoSuchBucket');
}

/**
 * Classifies an S3 failure where it arises (PortYardErrors pass through): access denied names the
 * bucket and the missing permission, a missing bucket says so, anything else names the storage,
 * the object's URL, the S3 or OS error code and the attempts. Messages never hold credentials.
 */
export function s3Failed(context: S3Context, attempt: S3Attempt, error: unknown): PortYardError {
  if (error instanceof PortYardError) return error;
  const { operation, key } = attempt;
  const code = s3CodeOf(error);
  const status = httpStatusOf(error);
  const where = key === undefined ? `s3://${context.bucket}/${context.prefix}` : context.urlOf(key);
  const options = { phase: 'store' as const, cause: error };
  if (status === 403 || code === 'AccessDenied' || code in credentialHints) {
    const hint = credentialHints[code] ?? deniedHint(context, operation);
    const message = `S3 bucket ${context.bucket}: access denied for ${permissionOf[operation]} (storage "${context.name}", ${operation} ${where}: ${code}, ${hint})`;
    return new PortYardError('STORAGE_FAILED', message, options);
  }
  if (code === 'NoSuchBucket') {
    const message = `S3 bucket ${context.bucket} does not exist (storage "${context.name}", ${operation} at ${context.location})`;
    return new PortYardError('STORAGE_FAILED', message, options);
  }
  const detail = messageOf(error);
  const attempts = (error as SdkErrorShape | undefined)?.$metadata?.attempts ?? 1;
  const answer = [status === undefined ? 'no answer' : `HTTP ${status}`];
  if (attempts > 1) answer.push(`${attempts} attempts`);
  const hint = otherHints[code] === undefined ? '' : ` (${otherHints[code]})`;
  const message = `storage "${context.name}": S3 ${operation} of ${where} failed: ${code}${detail}${hint} (${answer.join(', ')})`;
  return new PortYardError('STORAGE_FAILED', message, options);
}

function deniedHint(context: S3Context, operation: S3Operation): string {
  const reading = operation === 'GetObject' || operation === 'HeadObject';
  const writing = permissionOf[operation] === 's3:PutObject';
  if (context.kms && (reading || writing)) {
    return `the credentials lack ${permissionOf[operation]} or ${reading ? 'kms:Decrypt' : 'kms:GenerateDataKey'} on the KMS key`;
  }
  // S3 hides whether an object exists from callers that may not list the bucket.
  if (reading)
    return `the credentials lack ${permissionOf[operation]}, or the object is missing and s3:ListBucket is not granted`;
  return `the credentials lack ${permissionOf[operation]}`;
}

function messageOf(error: unknown): string {
  const message = (error as SdkErrorShape | undefined)?.message;
  if (typeof message !== 'string' || message === '' || message === 'UnknownError') return '';
  return `: ${message.length > 300 ? `${message.slice(0, 300)}...` : message}`;
}

/** CANCELLED: the caller's signal aborted `what` (`put of "t/db/x"`). */
export function s3Cancelled(context: S3Context, what: string, reason: unknown): PortYardError {
  return new PortYardError('CANCELLED', `storage "${context.name}": ${what} was cancelled`, {
    phase: 'store',
    cause: reason,
  });
}

/**
 * STORAGE_FAILED for a failure this backend detected itself (a download that broke off or ended
 * short, a server that answered another byte range): `problem.what` says what was seen.
 */
export function s3Broken(
  context: S3Context,
  attempt: S3Attempt & { readonly key: string },
  problem: { readonly what: string; readonly cause?: unknown },
): PortYardError {
  const message = `storage "${context.name}": S3 ${attempt.operation} of ${context.urlOf(attempt.key)}: ${problem.what}`;
  return new PortYardError('STORAGE_FAILED', message, { phase: 'store', cause: problem.cause });
}
