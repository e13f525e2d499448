import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DestinationStalled, fanOut } from './fan-out.ts';

async function drainSlowly(branch: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of branch) {
    await sleep(2);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

describe('fanOut', () => {
  it('delivers every byte to a slow reader that is still reading after the source finished', async () => {
    const data = Buffer.alloc(4 << 20, 7);
    const { sink, branches } = fanOut(2);
    const readers = branches.map(drainSlowly);
    await pipeline(Readable.from([data.subarray(0, 2 << 20), data.subarray(2 << 20)]), sink);
    const [first, second] = await Promise.all(readers);
    expect(first!.equals(data)).toBe(true);
    expect(second!.equals(data)).toBe(true);
  });

  it('cuts every branch when the source fails', async () => {
    const { sink, branches } = fanOut(2);
    const readers = branches.map((branch) => drainSlowly(branch).catch((error: Error) => error.message));
    const failing = new Readable({
      read() {
        this.destroy(new Error('dump failed'));
      },
    });
    await expect(pipeline(failing, sink)).rejects.toThrow('dump failed');
    expect(await Promise.all(readers)).toEqual(['dump failed', 'dump failed']);
  });
});

describe('fanOut, before a destination reads its branch', () => {
  // A storage may still be opening (a folder on a hung share being checked) when the dump fails
  // or the run is cancelled: the branch's error must wait for it, not end the agent unheard.
  it('cuts the branches without an unhandled error, and the late reader gets the error', async () => {
    const { sink, branches } = fanOut(2);
    sink.on('error', () => undefined); // the pipeline's, in a backup
    sink.destroy(new Error('the dump failed'));
    await sleep(10);
    const late = await drainSlowly(branches[0]!).catch((error: Error) => error.message);
    expect(late).toBe('the dump failed');
  });
});

describe('fanOut, with a destination that stops reading', () => {
  // A hung NFS share: its branch takes nothing, and never fails on its own. The others must still
  // get their copy, not wait with it for the run's timeout.
  it('gives the stalled branch up after stallMs, while another one could go on', async () => {
    const data = Buffer.alloc(8 << 20, 3);
    const { sink, branches } = fanOut(2, { stallMs: 100 });
    const reader = drainSlowly(branches[0]!);
    const stalled = new Promise<unknown>((resolve) =>
      branches[1]!.once('close', () => resolve(branches[1]!.errored)),
    );
    await pipeline(Readable.from([data.subarray(0, 4 << 20), data.subarray(4 << 20)]), sink);
    expect((await reader).equals(data)).toBe(true);
    expect(await stalled).toBeInstanceOf(DestinationStalled);
  });

  it('gives none up when every branch waits (the cause is not one of them)', async () => {
    const { sink, branches } = fanOut(2, { stallMs: 50 });
    const writing = new Promise<void>((resolve) => sink.write(Buffer.alloc(4 << 20), () => resolve()));
    await sleep(150);
    expect(branches.map((branch) => branch.destroyed)).toEqual([false, false]);
    const readers = branches.map(drainSlowly);
    await writing;
    sink.end();
    expect((await Promise.all(readers)).map((buffer) => buffer.length)).toEqual([4 << 20, 4 << 20]);
  });
});
