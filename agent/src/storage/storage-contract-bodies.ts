import { PassThrough, Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { Storage } from './storage.ts';

/** Bodies and readers for `storage-contract.ts`: the shapes of data a real backup run produces. */

/** Deterministic, non-repeating-looking bytes, so a misplaced chunk or range shows as a mismatch. */
export function patternBytes(size: number, seed = 0): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + (i >> 8) * 7 + seed) & 0xff;
  return bytes;
}

/** A byte body (not object mode) yielding `chunks` with an optional pause before each. */
export function bodyOf(chunks: readonly Buffer[], pauseMs = 0): Readable {
  async function* produce(): AsyncGenerator<Buffer> {
    for (const chunk of chunks) {
      if (pauseMs > 0) await delay(pauseMs);
      yield chunk;
    }
  }
  return Readable.from(produce(), { objectMode: false });
}

/** `bytes` cut into `chunkSize` pieces produced slowly, like a dump from a busy server. */
export function slowBody(bytes: Buffer, chunkSize: number, pauseMs: number): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    chunks.push(bytes.subarray(offset, offset + chunkSize));
  }
  return bodyOf(chunks, pauseMs);
}

/** Sends `bytes`, then fails with `error`, as a dump that dies halfway does. */
export function failingBody(bytes: Buffer, error: Error): Readable {
  async function* produce(): AsyncGenerator<Buffer> {
    yield bytes;
    await delay(5);
    throw error;
  }
  return Readable.from(produce(), { objectMode: false });
}

/**
 * A body the test holds open: it writes, waits with `untilConsumed` until the backend has taken
 * everything written so far (so the put is really in progress), looks around, then ends it.
 */
export function heldBody(): PassThrough {
  return new PassThrough();
}

export async function untilConsumed(body: PassThrough, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (body.readableLength > 0 || body.writableLength > 0) {
    if (Date.now() > deadline) throw new Error('the backend did not read the held body');
    await delay(5);
  }
  await delay(20); // let the backend act on what it read (write it, start an upload)
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Every visible key, sorted: what "nothing visible" is checked against. */
export async function visibleKeys(storage: Storage, prefix = ''): Promise<string[]> {
  return (await collect(storage.list(prefix))).map((info) => info.key).sort();
}

export async function getBytes(storage: Storage, key: string): Promise<Buffer> {
  return readAll(await storage.get(key));
}
