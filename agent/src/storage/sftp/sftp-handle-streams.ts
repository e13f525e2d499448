import { Readable, Writable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { sftpCall } from './sftp-call.ts';

/**
 * Streams over an open SFTP file handle. Not ssh2's own `createReadStream`/`createWriteStream`:
 * those keep Node 0.x stream semantics (no 'close' on error, the handle closed behind the
 * caller's back on destroy, one request in flight) where a put must fsync and close the handle
 * itself, in order, and a remote server answers far faster with several requests in flight.
 * Neither stream closes the handle on its own: the writer's owner does; the reader calls `onClose`.
 */
const requestsInFlight = 8;
const readChunk = 255 * 1024;

/**
 * Writes everything piped in at consecutive offsets from 0, with up to eight WRITE requests in
 * flight: back-pressure holds the writer back beyond that. Finishes only when every write is
 * acknowledged; the first failed write, or the channel closing, destroys it with that error.
 */
export function handleWriter(sftp: SFTPWrapper, handle: Buffer): Writable & { readonly bytes: number } {
  let offset = 0;
  let inFlight = 0;
  let waiting: (() => void) | undefined;
  let drained: (() => void) | undefined;
  const writer = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const at = offset;
      offset += chunk.length;
      inFlight++;
      sftpCall(sftp, (done) => sftp.write(handle, chunk, 0, chunk.length, at, done)).then(
        () => {
          inFlight--;
          // Cleared before resuming: the resumed stream may call `write` (and wait) synchronously.
          const resume = waiting;
          waiting = undefined;
          resume?.();
          if (inFlight === 0) drained?.();
        },
        (error: Error) => writer.destroy(error),
      );
      if (inFlight < requestsInFlight) callback();
      else waiting = () => callback();
    },
    final(callback) {
      if (inFlight === 0) return callback();
      drained = () => callback();
    },
  });
  // A connection lost while no write is in flight must still fail the put, not wait for the body.
  const onChannelClose = (): void => void writer.destroy(new Error('the SFTP channel closed'));
  sftp.once('close', onChannelClose);
  writer.once('close', () => sftp.removeListener('close', onChannelClose));
  return Object.defineProperty(writer, 'bytes', { get: () => offset }) as Writable & { bytes: number };
}

export interface HandleRead {
  readonly sftp: SFTPWrapper;
  readonly handle: Buffer;
  /** First and last byte (inclusive) to read; the caller clamps `end` to the file. */
  readonly start: number;
  readonly end: number;
  readonly signal?: AbortSignal | undefined;
  /** Classifies a failed READ (the stream is destroyed with what this returns). */
  readonly failed: (error: Error) => Error;
  /** Runs once the stream is done (ended or destroyed), after the handle is closed. */
  readonly onClose: () => void;
}

interface Pending {
  readonly at: number;
  readonly length: number;
  readonly result: Promise<Buffer | Error>;
}

/**
 * Reads `[start, end]` with up to eight READ requests in flight, pushing their data in order. A
 * short reply (allowed by the protocol) drops the requests queued after it and reads on from
 * where the data stopped, so no byte is skipped; an empty reply before `end` ends the stream early,
 * as a file truncated under a reader does. Aborting `signal` destroys it with an AbortError.
 */
export function handleReader(read: HandleRead): Readable {
  const { sftp, handle, end } = read;
  let next = read.start;
  let queue: Pending[] = [];
  const fill = (): void => {
    while (queue.length < requestsInFlight && next <= end) {
      const at = next;
      const length = Math.min(readChunk, end - at + 1);
      next += length;
      const result = sftpCall<Buffer>(sftp, (done) =>
        sftp.read(handle, Buffer.allocUnsafe(length), 0, length, at, (error, bytes, data) =>
          done(error, data?.subarray(0, bytes)),
        ),
      ).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      queue.push({ at, length, result });
    }
  };
  return new Readable({
    highWaterMark: readChunk,
    signal: read.signal,
    read() {
      fill();
      const head = queue.shift();
      if (head === undefined) return void this.push(null);
      void head.result.then((data) => {
        if (data instanceof Error) return void this.destroy(read.failed(data));
        if (data.length === 0) return void this.push(null);
        if (data.length < head.length) {
          queue = [];
          next = head.at + data.length;
        }
        this.push(data);
      });
    },
    destroy(error, callback) {
      sftpCall(sftp, (done) => sftp.close(handle, done))
        .catch(() => undefined) // the read already failed or finished; the handle dies with the channel
        .finally(() => {
          read.onClose();
          callback(error);
        });
    },
  });
}
