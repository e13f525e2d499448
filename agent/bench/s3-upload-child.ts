/**
 * The `S3 upload alone` row: `node s3-upload-child.ts <file> <endpoint> <bucket> <key>` uploads a
 * file with the AWS SDK's lib-storage `Upload`, as Port-Yard's S3 storage does by default (16 MiB
 * parts, 4 in flight, checksums when required), and prints `{"bytes":N}`. Credentials come from
 * the environment (s3-server.ts); `uploadMs` is the upload alone, without Node start-up. What s3rver takes in without Port-Yard: its throughput ceiling.
 */
import { createReadStream, statSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { accessKeyVar, secretKeyVar } from './s3-server.ts';

const [file, endpoint, bucket, key] = process.argv.slice(2);
if (!file || !endpoint || !bucket || !key) {
  throw new Error('usage: s3-upload-child.ts <file> <endpoint> <bucket> <key>');
}
const client = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: {
    accessKeyId: process.env[accessKeyVar] ?? '',
    secretAccessKey: process.env[secretKeyVar] ?? '',
  },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const started = performance.now();
const upload = new Upload({
  client,
  params: { Bucket: bucket, Key: key, Body: createReadStream(file, { highWaterMark: 1 << 20 }) },
  partSize: 16 * 1024 * 1024,
  queueSize: 4,
  leavePartsOnError: false,
});
await upload.done();
const uploadMs = performance.now() - started;
client.destroy();
process.stdout.write(`${JSON.stringify({ bytes: statSync(file).size, uploadMs })}\n`);
