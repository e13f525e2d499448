import type { Readable } from 'node:stream';
import type { SFTPWrapper, Stats } from 'ssh2';
import { PortYardError } from '@port-yard/shared';
import type { GetOptions, ObjectInfo } from '../storage.ts';
import { sftpCall } from './sftp-call.ts';
import type { SftpPlace } from './sftp-errors.ts';
import { isNoSuchFile, sftpFailed } from './sftp-errors.ts';
import { handleReader } from './sftp-handle-streams.ts';
import type { SftpSession } from './sftp-session.ts';
import { assertByteRange } from '../storage-key.ts';

export interface RemoteObject {
  readonly place: SftpPlace;
  readonly key: string;
  readonly path: string;
}

/** `Storage.stat` over SFTP: undefined unless a regular file is there (`lstat`: not a link). */
export async function statRemote(sftp: SFTPWrapper, object: RemoteObject): Promise<ObjectInfo | undefined> {
  try {
    const info = await sftpCall<Stats>(sftp, (done) => sftp.lstat(object.path, done));
    return info.isFile()
      ? { key: object.key, size: info.size, modifiedAt: new Date(info.mtime * 1000) }
      : undefined;
  } catch (error) {
    if (isNoSuchFile(error)) return undefined;
    throw sftpFailed(object.place, 'stat', object.path, error);
  }
}

/**
 * `Storage.get` over SFTP: checks the object and opens it before returning, so a missing object
 * rejects NOT_FOUND before any stream exists. The size comes from the open handle, so a
 * concurrent replace (an atomic rename) gives the old bytes or the new ones, never a mix. The
 * stream holds the connection open until it ends or is destroyed, which closes the handle.
 */
export async function getRemote(
  session: SftpSession,
  object: RemoteObject,
  options: GetOptions = {},
): Promise<Readable> {
  const { range, signal } = options;
  if (range !== undefined) assertByteRange(range);
  if (signal?.aborted) {
    const message = `storage "${object.place.storageName}": get of "${object.key}" was cancelled`;
    throw new PortYardError('CANCELLED', message, { cause: signal.reason });
  }
  return session.use(async (sftp) => {
    if ((await statRemote(sftp, object)) === undefined) throw notFound(object);
    const handle = await sftpCall<Buffer>(sftp, (done) => sftp.open(object.path, 'r', done)).catch(
      (error: unknown) => {
        throw isNoSuchFile(error) ? notFound(object) : sftpFailed(object.place, 'open', object.path, error);
      },
    );
    const release = session.hold();
    try {
      const info = await sftpCall<Stats>(sftp, (done) => sftp.fstat(handle, done));
      if (!info.isFile()) throw notFound(object);
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? Infinity, info.size - 1);
      return handleReader({
        sftp,
        handle,
        start,
        end, // below start (an empty object, a start past the end): the stream is empty
        signal,
        failed: (error) => sftpFailed(object.place, 'read', object.path, error),
        onClose: release,
      });
    } catch (error) {
      void sftpCall(sftp, (done) => sftp.close(handle, done))
        .catch(() => undefined)
        .finally(release);
      throw sftpFailed(object.place, 'stat', object.path, error);
    }
  });
}

function notFound(object: RemoteObject): PortYardError {
  return new PortYardError('NOT_FOUND', `storage "${object.place.storageName}": no object "${object.key}"`);
}
