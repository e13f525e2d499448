import { createRequire } from 'node:module';
import { addS3rverMultipartListing, fixS3rverRanges } from './s3rver-patches.ts';

/**
 * The s3rver process `startS3rver` spawns: `node --openssl-legacy-provider s3rver-child.ts <dir>
 * <bucket>`. Its own process because s3rver needs the legacy OpenSSL provider (it encrypts
 * ListObjectsV2 continuation tokens with DES) and must not share the test's event loop. Prints
 * `{"port":N}` once listening on a free loopback port; exits when its stdin closes (the test
 * process is gone) or on SIGTERM.
 */
const require = createRequire(import.meta.url);
// s3rver ships no types; this is the little of it the harness touches.
const S3rver = require('s3rver') as new (options: object) => {
  middleware: unknown[];
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

const [directory, bucket] = process.argv.slice(2);
if (directory === undefined || bucket === undefined) {
  throw new Error('usage: s3rver-child.ts <directory> <bucket>');
}

fixS3rverRanges(require);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
addS3rverMultipartListing(require, server.middleware, directory);
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

const stop = (): void => {
  void server.close().finally(() => process.exit(0));
};
process.stdin.on('end', stop).on('error', stop).resume();
process.on('SIGTERM', stop);
