import type { Readable } from 'node:stream';
import { addAbortSignal, PassThrough } from 'node:stream';
import { PortYardError } from '@port-yard/shared';
import type { GetOptions, ObjectInfo } from '../storage.ts';
import type { RcloneContext } from './rclone-command.ts';
import { remotePathOf, spawnRclone } from './rclone-command.ts';
import { cancelled, rcloneFailed } from './rclone-errors.ts';
import { statPath } from './rclone-lsjson.ts';
import { assertByteRange } from '../storage-key.ts';

/** `Storage.stat`: a folder, or nothing, at the key's path is "no object". */
export async function statObject(context: RcloneContext, key: string): Promise<ObjectInfo | undefined> {
  const item = await statPath(context, remotePathOf(context.remote, key), 'file');
  if (item === undefined || item.IsDir || item.Size < 0) return undefined;
  return { key, size: item.Size, modifiedAt: new Date(item.ModTime) };
}

/**
 * `Storage.get` through `rclone cat --offset --count`. A stat comes first, so a missing object
 * (or a folder, which `cat` would happily concatenate) rejects NOT_FOUND before any stream
 * exists, and the range is clamped to the size we know. The stream ends only after rclone exited
 * 0 having sent exactly the expected byte count; otherwise it errors STORAGE_FAILED (a failed
 * transfer, or an object replaced between stat and read), so a reader never sees a silently
 * short object. Destroying the stream, or aborting `signal`, kills rclone.
 */
export async function getObject(
  context: RcloneContext,
  key: string,
  options: GetOptions = {},
): Promise<Readable> {
  const { range, signal } = options;
  if (range !== undefined) assertByteRange(range);
  if (signal?.aborted) throw cancelled(context, `get of "${key}"`, signal.reason);
  const info = await statObject(context, key);
  if (info === undefined) {
    throw new PortYardError('NOT_FOUND', `storage "${context.storageName}": no object "${key}"`);
  }
  const start = range?.start ?? 0;
  const endExclusive = Math.min(info.size, range?.end === undefined ? info.size : range.end + 1);
  const length = Math.max(0, endExclusive - start);
  const out = new PassThrough();
  if (signal !== undefined) addAbortSignal(signal, out);
  if (length === 0) return out.end();
  streamCat(context, { path: remotePathOf(context.remote, key), start, length }, out);
  return out;
}

interface CatSlice {
  readonly path: string;
  readonly start: number;
  readonly length: number;
}

function streamCat(context: RcloneContext, slice: CatSlice, out: PassThrough): void {
  const { path } = slice;
  const args = ['cat', '--offset', String(slice.start), '--count', String(slice.length), path];
  const running = spawnRclone(context, args);
  let received = 0;
  const stdout = running.child.stdout!;
  stdout.on('data', (chunk: Buffer) => (received += chunk.length));
  stdout.pipe(out, { end: false });
  out.once('close', () => running.kill());
  running.exited.then(
    (exit) => {
      if (exit.code === 0 && received === slice.length) out.end();
      else if (exit.code === 0) {
        const message = `storage "${context.storageName}": read ${received} of ${slice.length} bytes of "${path}" (the object changed or the transfer broke)`;
        out.destroy(new PortYardError('STORAGE_FAILED', message, { phase: 'store' }));
      } else out.destroy(rcloneFailed(context, 'read', path, { exit, stderr: running.stderr.text() }));
    },
    (error: unknown) => out.destroy(error as Error),
  );
}
