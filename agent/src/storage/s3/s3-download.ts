import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ByteRange } from '../storage.ts';

/**
 * Passes a GetObject body through, and fails (with `broken(error)`) when it breaks off (a reset
 * connection) or ends before `expectedBytes` (a server or proxy that closes early without an
 * error): a restore must never read a short artifact as a whole one. Destroying the returned
 * stream (a reader that leaves, an abort) destroys the body and frees its connection.
 */
export function checkedDownload(
  body: Readable,
  expectedBytes: number | undefined,
  broken: (what: string, cause?: unknown) => Error,
): Readable {
  let received = 0;
  const of = expectedBytes === undefined ? '' : ` of ${expectedBytes}`;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      if (expectedBytes === undefined || received === expectedBytes) return done();
      done(broken(`the download ended after ${received}${of} bytes`));
    },
  });
  body.on('error', (error: NodeJS.ErrnoException) => {
    const code = typeof error.code === 'string' ? ` (${error.code})` : '';
    out.destroy(broken(`the download broke off after ${received}${of} bytes${code}`, error));
  });
  out.on('close', () => body.destroy());
  body.pipe(out);
  return out;
}

interface ServedRange {
  readonly ContentRange?: string | undefined;
  readonly ContentLength?: number | undefined;
}

/**
 * Why the answer to a ranged GET is not the range asked for, or undefined when it is: a server
 * that ignores `Range` (answering 200 with the whole object) or serves other bytes must not make
 * a reader see the wrong part of an artifact.
 */
export function servedRangeProblem(range: ByteRange, served: ServedRange): string | undefined {
  const asked = `bytes=${range.start}-${range.end ?? ''}`;
  if (served.ContentRange === undefined) {
    // The whole object is the range asked for only when it starts at 0 and reaches the end.
    const size = served.ContentLength ?? 0;
    const whole = range.start === 0 && (range.end === undefined || range.end >= size - 1);
    return whole ? undefined : `the server ignored the byte range ${asked}`;
  }
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(served.ContentRange);
  if (match === null) return `unreadable Content-Range "${served.ContentRange}" for ${asked}`;
  const [start, end, size] = [
    Number(match[1]),
    Number(match[2]),
    match[3] === '*' ? undefined : Number(match[3]),
  ];
  const lastByte = size === undefined ? undefined : size - 1;
  const expectedEnd =
    range.end === undefined ? lastByte : lastByte === undefined ? range.end : Math.min(range.end, lastByte);
  const right = start === range.start && (expectedEnd === undefined || end === expectedEnd);
  return right ? undefined : `the server sent ${served.ContentRange} for ${asked}`;
}
