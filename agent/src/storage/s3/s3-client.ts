import { S3Client } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '@port-yard/shared';

export interface S3ClientTuning {
  /**
   * How long one upload request may take until its response head arrives (sending a part
   * included); then it fails with TimeoutError and is retried. Default: 2 minutes plus 2 s per MiB
   * of a part (see `uploadTimeoutMs`).
   */
  readonly requestTimeoutMs?: number;
  /**
   * The same for every other request (list, get, head, delete), which sends no body: a store that
   * takes the connection but never answers (hung, behind a dead load balancer) fails each attempt
   * after this long, not after the uploads' minutes. Default 15 s.
   */
  readonly answerTimeoutMs?: number;
}

const connectTimeoutMs = 10_000;
const answerTimeoutMs = 15_000;

/** The request timeout of uploads (their requests send a part: they get longer). */
export function uploadTimeoutMs(config: S3StorageConfig, tuning: S3ClientTuning = {}): number {
  return tuning.requestTimeoutMs ?? 120_000 + config.partSizeMiB * 2_000;
}

/**
 * The S3 client of one storage. Retries (SDK standard mode, `maxAttempts` in all) cover throttling
 * (SlowDown, 429), 5xx, timeouts and network errors (ECONNRESET, EPIPE, ...); an answer such as
 * 403 or 404 is never retried. Every request body this backend sends is a buffer (lib-storage
 * buffers each part), so a retry re-sends the same bytes.
 *
 * Checksums: the SDK's default (`WHEN_SUPPORTED`) sends stream bodies as `aws-chunked` with
 * trailing checksums, which many S3-compatible stores reject or store corrupted; so with a custom
 * endpoint the default is `when-required` (see `checksums` in the config schema).
 *
 * No idle timeout is set on sockets: a restore may pause reading a download for minutes (psql
 * building an index) and that must not break it; a request that hangs before its response head is
 * cut by `answerTimeoutMs` (uploads: `requestTimeoutMs`, which the put client passes).
 */
export function createS3Client(config: S3StorageConfig, tuning: S3ClientTuning = {}): S3Client {
  const checksums = config.checksums ?? (config.endpoint === undefined ? 'when-supported' : 'when-required');
  const checksumMode = checksums === 'when-required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
  const hasKeys = config.accessKeyId !== undefined && config.secretAccessKey !== undefined;
  return new S3Client({
    region: config.region,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    forcePathStyle: config.forcePathStyle,
    // Without keys the SDK's default chain applies (env, profile, IAM role, web identity).
    ...(hasKeys
      ? {
          credentials: {
            accessKeyId: config.accessKeyId!,
            secretAccessKey: config.secretAccessKey!,
            ...(config.sessionToken === undefined ? {} : { sessionToken: config.sessionToken }),
          },
        }
      : {}),
    requestChecksumCalculation: checksumMode,
    responseChecksumValidation: checksumMode,
    maxAttempts: config.maxAttempts,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: connectTimeoutMs,
      requestTimeout: tuning.answerTimeoutMs ?? answerTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
}
