import type { Readable } from 'node:stream';

/**
 * The storage contract. Every backend (filesystem, S3, SFTP, rclone, ...) implements it and passes
 * the shared contract suite in `storage-contract.ts`. Keys are `/`-separated relative paths of
 * safe segments (no `..`, no leading `/`, no empty segments); backends reject any other key.
 *
 * Guarantees, method by method:
 * - `put(key, body)`: consumes `body` to its end and makes the object visible under `key` only
 *   after every byte is durably stored (filesystem: temp file, fsync, rename, fsync of the folder;
 *   S3: multipart upload completed at the end). If `body` errors, `signal` aborts, or any write
 *   fails, the call rejects and **nothing** becomes visible under `key` (temporary data is removed,
 *   or at worst left where `sweepTemporary` finds it). An existing object under `key` is replaced
 *   atomically. Back-pressure: `body` is read no faster than the backend writes.
 * - `get(key, range)`: a stream of the object's bytes, or of `[start, end]` (inclusive) when a
 *   range is given. Rejects with a NOT_FOUND PortYardError when the object does not exist.
 * - `stat(key)`: size and modification time, or undefined when the object does not exist.
 * - `list(prefix)`: every visible object whose key starts with `prefix`, in no promised order,
 *   never the temporary data of unfinished puts.
 * - `delete(key)`: removes the object; deleting a missing object is not an error (idempotent).
 * - `sweepTemporary(olderThanMs)`: removes temporary data of puts that were interrupted (a crash,
 *   a kill) and are older than the given age; returns the keys of what it removed.
 */
export interface Storage {
  readonly name: string;
  /** Where it is, for humans (a path or a URL without credentials). */
  readonly location: string;
  put(key: string, body: Readable, options?: PutOptions): Promise<PutResult>;
  get(key: string, options?: GetOptions): Promise<Readable>;
  stat(key: string): Promise<ObjectInfo | undefined>;
  list(prefix: string): AsyncIterable<ObjectInfo>;
  delete(key: string): Promise<void>;
  sweepTemporary(olderThanMs: number): Promise<string[]>;
}

export interface PutOptions {
  readonly signal?: AbortSignal;
}

export interface PutResult {
  readonly bytes: number;
}

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive; omitted means to the end. */
  readonly end?: number;
}

export interface GetOptions {
  readonly range?: ByteRange;
  readonly signal?: AbortSignal;
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly modifiedAt: Date;
}
