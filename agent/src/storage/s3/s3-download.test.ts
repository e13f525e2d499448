import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readAll } from '../storage-contract-bodies.ts';
import { checkedDownload, servedRangeProblem } from './s3-download.ts';

describe('s3 download checks', () => {
  it('accepts the range asked for, clamped at the end', () => {
    expect(servedRangeProblem({ start: 0, end: 0 }, { ContentRange: 'bytes 0-0/10' })).toBeUndefined();
    expect(servedRangeProblem({ start: 5 }, { ContentRange: 'bytes 5-9/10' })).toBeUndefined();
    expect(servedRangeProblem({ start: 5, end: 99 }, { ContentRange: 'bytes 5-9/10' })).toBeUndefined();
    // A whole object answered with 200 is the range 0- (or 0-n past its end).
    expect(servedRangeProblem({ start: 0, end: 20 }, { ContentLength: 10 })).toBeUndefined();
  });

  it('refuses an answer that is not the range asked for', () => {
    expect(servedRangeProblem({ start: 0, end: 0 }, { ContentRange: 'bytes 0-9/10' })).toBe(
      'the server sent bytes 0-9/10 for bytes=0-0',
    );
    expect(servedRangeProblem({ start: 3, end: 4 }, { ContentLength: 10 })).toBe(
      'the server ignored the byte range bytes=3-4',
    );
    expect(servedRangeProblem({ start: 3 }, { ContentRange: 'nonsense' })).toMatch(
      /unreadable Content-Range/,
    );
  });

  it('errors a body that ends short of its length, passes one that does not', async () => {
    const broken = (what: string) => new Error(what);
    const short = new PassThrough();
    short.end(Buffer.alloc(5));
    await expect(readAll(checkedDownload(short, 8, broken))).rejects.toThrow(
      'the download ended after 5 of 8 bytes',
    );
    const whole = new PassThrough();
    whole.end(Buffer.alloc(8));
    expect((await readAll(checkedDownload(whole, 8, broken))).length).toBe(8);
  });

  it('errors when the body breaks off, and destroys the body when the reader leaves', async () => {
    const body = new PassThrough();
    const out = checkedDownload(body, 100, (what) => new Error(what));
    body.write(Buffer.alloc(10));
    const reading = readAll(out);
    setTimeout(() => body.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), 10);
    await expect(reading).rejects.toThrow('the download broke off after 10 of 100 bytes (ECONNRESET)');
    const left = new PassThrough();
    checkedDownload(left, 100, (what) => new Error(what)).destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(left.destroyed).toBe(true);
  });
});
