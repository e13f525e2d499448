import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Storage } from '../storage/storage.ts';

/**
 * Test doubles for the pipeline's unit tests: an in-memory storage that honours the put contract
 * (visible only after a clean end) and can fail after N bytes, to inject storage faults.
 */
export function createMemoryStorage(options: { name?: string; failAfterBytes?: number } = {}): Storage & {
  objects: Map<string, Buffer>;
} {
  const objects = new Map<string, Buffer>();
  return {
    name: options.name ?? 'memory',
    location: 'memory:',
    objects,
    async put(key, body, putOptions) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          if (options.failAfterBytes !== undefined && bytes > options.failAfterBytes) {
            callback(Object.assign(new Error('injected write failure (ENOSPC)'), { code: 'ENOSPC' }));
            return;
          }
          chunks.push(chunk);
          callback();
        },
      });
      await pipeline(body, sink, { signal: putOptions?.signal });
      objects.set(key, Buffer.concat(chunks));
      return { bytes };
    },
    async get(key) {
      const data = objects.get(key);
      if (!data) throw new Error(`missing ${key}`);
      const stream = new PassThrough();
      stream.end(data);
      return stream as Readable;
    },
    async stat(key) {
      const data = objects.get(key);
      return data ? { key, size: data.length, modifiedAt: new Date() } : undefined;
    },
    async *list(prefix) {
      for (const [key, data] of objects)
        if (key.startsWith(prefix)) yield { key, size: data.length, modifiedAt: new Date() };
    },
    async delete(key) {
      objects.delete(key);
    },
    async sweepTemporary() {
      return [];
    },
  };
}
