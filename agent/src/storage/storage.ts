import type { Readable } from 'node:stream';

/**
 * The storage contract. Every backend (filesystem, S3, SFTP, rclone, ...) implements it and passes
 * the shared contract suite in `storage-contract.ts`. Keys are `/`-separated relative paths of
 * safe segments (no `..`, no leading `/`, no empty segments; see `assertStorageKey`); every method
 * rejects any other key with INVALID_INPUT. A backend may reserve names for its temporary data
 * (filesystem: segments ending in `.port-yard-tmp`) and reject those keys too. A "folder" (a
 * prefix of other keys, such as `a` when `a/b` exists) is not an object: `get` says NOT_FOUND,
 * `stat` says undefined, `delete` does nothing. Failures of the medium (disk full, permission,
 * network) reject with STORAGE_FAILED naming the storage, the place and the underlying code.
 *
 * Guarantees, method by method:
 * - `put(key, body)`: consumes `body` to its end and makes the object visible under `key` only
 *   after every byte is durably stored (filesystem: temp file, fsync, rename, fsync of the folder;
 *   S3: multipart upload completed at the end). If `body` errors, `signal` aborts, or any write
 *   fails, the call rejects and **nothing** becomes visible under `key` (temporary data is removed,
 *   or at worst left where `sweepTemporary` finds it). An existing object under `key` is replaced
 *   atomically: readers see the old bytes or the new ones, never a mix, and a failed put leaves
 *   the old object intact. Back-pressure: `body` is read no faster than the backend writes.
 *   How it rejects: with the body's own error, unchanged, when the body failed (the producer has
 *   already classified it: a failed dump must not read as a storage failure); CANCELLED when
 *   `signal` aborted before the commit (an abort after the commit is too late and the put
 *   resolves); STORAGE_FAILED otherwise, with the backend's error as `cause`. A rejected put has
 *   destroyed `body`, so a producer never waits forever on a reader that left.
 * - `get(key, range)`: a stream of the object's bytes, or of `[start, end]` (inclusive) when a
 *   range is given. An `end` past the last byte is clamped to it; a `start` at or past the size
 *   gives an empty stream; negative, fractional or reversed ranges are INVALID_INPUT. Rejects with
 *   a NOT_FOUND PortYardError when the object does not exist (before any stream is returned).
 *   Aborting `signal` destroys the returned stream with an AbortError.
 * - `stat(key)`: size and modification time, or undefined when the object does not exist.
 * - `list(prefix)`: every visible object whose key starts with `prefix` (plain string prefix:
 *   '' is everything, `a/` is the folder `a`, `a/b` matches `a/b/c` and `a/bc`), in no promised
 *   order, never the temporary data of unfinished puts. An invalid prefix is INVALID_INPUT.
 * - `delete(key)`: removes the object; deleting a missing object is not an error (idempotent).
 * - `sweepTemporary(olderThanMs)`: removes temporary data of puts that were interrupted (a crash,
 *   a kill) and are older than the given age; returns the keys of what it removed. Pick an age far
 *   longer than any put can stall, since a put in progress looks the same as an abandoned one.
 * - `openFileWriter(key)` (optional; backends on a local disk): `put` for a writer that is another
 *   process. It creates the temporary file and hands out its descriptor, to be a child process's
 *   stdout, so the bytes never pass through this process. Nothing is visible under `key` until
 *   `commit()` resolves (same durability as `put`, and it returns the sha256 of the bytes as read
 *   back from the file); `abort()`, or a failed commit, removes the temporary file. The caller
 *   commits only once the writing process succeeded, and closes nothing itself.
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
  /** Releases connections (SFTP); the storage may be used again afterwards (it reconnects). */
  close?(): Promise<void>;
  openFileWriter?(key: string, options?: PutOptions): Promise<FileWriter>;
}

/** A temporary file another process writes into; see `Storage.openFileWriter`. */
export interface FileWriter {
  /** The temporary file, open for writing at offset 0: give it to a child as its stdout. */
  readonly fd: number;
  /** Bytes in the file so far, for progress. */
  size(): Promise<number>;
  /** Makes the file durable and visible under the key; the writer must have finished. */
  commit(): Promise<CommittedFile>;
  /** Removes the temporary file and closes it (idempotent; safe after a failed commit). */
  abort(): Promise<void>;
}

export interface CommittedFile {
  readonly bytes: number;
  /** Hex sha256 of the committed bytes. */
  readonly sha256: string;
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
