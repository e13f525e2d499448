import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { verifySigV4 } from './s3rver-sigv4.ts';

/**
 * What s3rver 3.7.1 gets wrong or lacks, fixed toward real S3 inside the s3rver process, so the
 * S3 backend is tested against S3 semantics rather than against a fake's bugs:
 * - `Range: bytes=0-0` returned the whole object (`end || Infinity`), and a range on an empty
 *   object answered 206 with Content-Length 1 and no body: both read as truncations.
 * - ListMultipartUploads and AbortMultipartUpload are not implemented (501 / 405).
 * - SigV4 signatures are not verified at all, so a wrong secret was accepted.
 */
type Require = (id: string) => unknown;

/** The slice of a Koa context the middleware below uses. */
interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  req: { url?: string };
  body: unknown;
  status: number;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
type S3ErrorClass = new (code: string, message: string, detail?: object) => Error;

interface S3rverRange {
  start?: number;
  end?: number;
}

export function fixS3rverRanges(require: Require): void {
  const store = require('s3rver/lib/stores/filesystem') as {
    prototype: Record<string, unknown>;
  };
  const S3Object = require('s3rver/lib/models/object') as new (...args: unknown[]) => { range?: object };
  store.prototype.getObject = async function getObject(
    this: {
      getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
      getResourcePath(bucket: string, key: string, resource: string): string;
    },
    bucket: string,
    key: string,
    options: S3rverRange | undefined,
  ) {
    let metadata: Record<string, string>;
    try {
      metadata = await this.getMetadata(bucket, key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const size = Number(metadata['content-length']);
    const ranged = options?.start !== undefined || options?.end !== undefined;
    const range = { start: options?.start ?? 0, end: Math.min(options?.end ?? Infinity, size - 1) };
    if (ranged && range.end < range.start) {
      // The controller answers 416 InvalidRange for a range with no content.
      return Object.assign(new S3Object(bucket, key, null, metadata), { range });
    }
    const path = this.getResourcePath(bucket, key, 'object');
    const content = createReadStream(path, ranged ? range : {});
    await new Promise((resolve, reject) => content.once('open', resolve).once('error', reject));
    const object = new S3Object(bucket, key, content, metadata);
    return ranged ? Object.assign(object, { range }) : object;
  };
}

/**
 * Puts SigV4 verification, ListMultipartUploads and AbortMultipartUpload in front of s3rver's
 * router (path-style requests only; s3rver keeps an upload in `<bucket>/._S3rver_uploads/<id>/`
 * with its key in the file `key`).
 */
export function addS3rverMultipartListing(require: Require, middleware: unknown[], root: string): void {
  const S3Error = require('s3rver/lib/models/error') as S3ErrorClass;
  const extras: Middleware = async (ctx, next) => {
    verifySigV4(ctx, S3Error);
    const [bucket = '', ...keyParts] = ctx.path.slice(1).split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const uploadsDir = join(root, bucket, '._S3rver_uploads');
    if (ctx.method === 'GET' && key === '' && 'uploads' in ctx.query) {
      ctx.body = await listUploads(uploadsDir, bucket, String(ctx.query.prefix ?? ''));
    } else if (ctx.method === 'DELETE' && typeof ctx.query.uploadId === 'string') {
      const dir = join(uploadsDir, ctx.query.uploadId.replaceAll('/', ''));
      const stored = await readFile(join(dir, 'key'), 'utf8').catch(() => undefined);
      if (stored !== key) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.');
      await rm(dir, { recursive: true, force: true });
      ctx.status = 204;
    } else {
      await next();
    }
  };
  // The router is the last middleware; XML encoding of plain-object bodies runs before it.
  middleware.splice(middleware.length - 1, 0, extras);
}

async function listUploads(uploadsDir: string, bucket: string, prefix: string): Promise<object> {
  const ids = await readdir(uploadsDir).catch(() => [] as string[]);
  const uploads = [];
  for (const id of ids) {
    const keyFile = join(uploadsDir, id, 'key');
    const key = await readFile(keyFile, 'utf8').catch(() => undefined);
    if (key === undefined || !key.startsWith(prefix)) continue;
    // `key` is written once when the upload starts: its mtime is the upload's start.
    const initiated = (await stat(keyFile)).mtime.toISOString();
    uploads.push({ Key: key, UploadId: id, Initiated: initiated, StorageClass: 'STANDARD' });
  }
  return {
    ListMultipartUploadsResult: {
      '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Bucket: bucket,
      Prefix: prefix,
      MaxUploads: 1000,
      IsTruncated: false,
      Upload: uploads,
    },
  };
}
