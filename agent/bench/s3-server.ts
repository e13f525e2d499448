import { readFileSync, readdirSync } from 'node:fs';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { RunningS3rver } from '../test/s3/s3rver.ts';

/**
 * The S3 server of the bench: s3rver from the test harness (agent/test/s3/), in its own Node
 * process on a loopback port, one bucket. Credentials reach Port-Yard through `${VAR}` in its
 * config, with these variables set in the CLI's environment.
 */
export interface BenchS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** The s3rver process (its CPU is counted apart in every run that talks to it). */
  readonly pid: number | undefined;
  /** The variables the config's `${…}` refer to. */
  readonly env: Readonly<Record<string, string>>;
  readonly client: S3Client;
  /** Removes every object and incomplete multipart upload from the bucket. */
  clear(): Promise<void>;
  /** Stops s3rver and removes its directory. */
  stop(): Promise<void>;
  /** Its directory, for a synchronous removal on a signal. */
  readonly directory: string;
}

export const accessKeyVar = 'PORT_YARD_BENCH_S3_ACCESS_KEY_ID';
export const secretKeyVar = 'PORT_YARD_BENCH_S3_SECRET_ACCESS_KEY';

/** The pid of the s3rver child this process started (found in /proc by parent and script). */
function findS3rverPid(): number | undefined {
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('s3rver-child.ts')) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

export async function startBenchS3(): Promise<BenchS3> {
  // Loaded only when the S3 rows run (the harness module pulls in vitest).
  const { startS3rver } = await import('../test/s3/s3rver.ts');
  const server: RunningS3rver = await startS3rver('port-yard-bench');
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const clear = async (): Promise<void> => {
    for (;;) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).flatMap((entry) => (entry.Key ? [{ Key: entry.Key }] : []));
      if (keys.length === 0) break;
      await client.send(new DeleteObjectsCommand({ Bucket: server.bucket, Delete: { Objects: keys } }));
    }
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: server.bucket }));
    for (const upload of uploads.Uploads ?? []) {
      await client.send(
        new AbortMultipartUploadCommand({
          Bucket: server.bucket,
          Key: upload.Key,
          UploadId: upload.UploadId,
        }),
      );
    }
  };
  return {
    endpoint: server.endpoint,
    bucket: server.bucket,
    pid: findS3rverPid(),
    env: { [accessKeyVar]: server.accessKeyId, [secretKeyVar]: server.secretAccessKey },
    client,
    clear,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
    directory: server.directory,
  };
}
