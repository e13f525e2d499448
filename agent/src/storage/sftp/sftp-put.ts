import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SFTPWrapper, Stats } from 'ssh2';
import { PortYardError } from '@port-yard/shared';
import { temporaryNameFor } from '../filesystem-temp-name.ts';
import { sftpCall, sftpExtension } from './sftp-call.ts';
import type { SftpPlace } from './sftp-errors.ts';
import { isNoSuchFile, sftpFailed } from './sftp-errors.ts';
import { makeFolders } from './sftp-folders.ts';
import { handleWriter } from './sftp-handle-streams.ts';
import type { SftpSession } from './sftp-session.ts';

export interface SftpPut {
  readonly place: SftpPlace;
  readonly session: SftpSession;
  readonly key: string;
  readonly finalPath: string;
  readonly body: Readable;
  readonly signal: AbortSignal | undefined;
}

interface TempFile {
  readonly path: string;
  readonly handle: Buffer;
}

/**
 * How SFTP keeps `Storage.put`'s promises: stream into `.<name>.<random>.port-yard-tmp` beside the
 * final file (the filesystem backend's temp names, so `list` skips them and `sweepTemporary` finds
 * them), fsync it (`fsync@openssh.com`, when the server offers it), close it, then rename it over
 * the final name with `posix-rename@openssh.com`, which replaces atomically (plain SFTP rename
 * refuses an existing target). On any failure the temp file is removed, or if even that fails
 * (the connection is gone) left for `sweepTemporary`. Resolves to the number of bytes written.
 */
export async function putRemote(put: SftpPut): Promise<number> {
  let bodyTaken = false;
  // Listen at once: a body failing while we connect must not become an uncaught error.
  let origin: 'body' | 'write' | undefined;
  put.body.on('error', () => (origin ??= 'body'));
  try {
    throwIfCancelled(put);
    const store = async (sftp: SFTPWrapper): Promise<number> => {
      const temp = await openTempFile(sftp, put);
      let handleOpen = true;
      try {
        bodyTaken = true;
        const out = handleWriter(sftp, temp.handle);
        out.on('error', () => (origin ??= 'write'));
        await pipeline(put.body, out, { signal: put.signal }).catch((error: unknown) => {
          throwIfCancelled(put);
          if (origin !== 'write' && put.body.errored) throw put.body.errored;
          throw sftpFailed(put.place, 'write', temp.path, error);
        });
        await sftpExtension(sftp, (done) => sftp.ext_openssh_fsync(temp.handle, done)).catch(
          (error: unknown) => {
            throw sftpFailed(put.place, 'fsync', temp.path, error);
          },
        );
        handleOpen = false;
        await sftpCall(sftp, (done) => sftp.close(temp.handle, done)).catch((error: unknown) => {
          throw sftpFailed(put.place, 'close', temp.path, error);
        });
        throwIfCancelled(put);
        await commit(sftp, put, temp.path);
        return out.bytes;
      } catch (error) {
        // Cleanup never masks the first error; a temp file that cannot be removed is swept later.
        if (handleOpen) await sftpCall(sftp, (done) => sftp.close(temp.handle, done)).catch(() => undefined);
        await sftpCall(sftp, (done) => sftp.unlink(temp.path, done)).catch(() => undefined);
        throw error;
      }
    };
    // Only work that has not read the body yet may run again on a fresh connection.
    return await put.session.use(store, () => !bodyTaken);
  } catch (error) {
    if (!put.body.destroyed) put.body.destroy();
    throw error;
  }
}

async function openTempFile(sftp: SFTPWrapper, put: SftpPut): Promise<TempFile> {
  const folder = posix.dirname(put.finalPath);
  for (let attempt = 1; ; attempt++) {
    const path = posix.join(folder, temporaryNameFor(posix.basename(put.finalPath)));
    try {
      // 0600: a dump holds every row of the database. `wx`: never reuse someone else's file.
      const handle = await sftpCall<Buffer>(sftp, (done) => sftp.open(path, 'wx', { mode: 0o600 }, done));
      return { path, handle };
    } catch (error) {
      // The folder is missing: made on first use, or pruned by a delete between our mkdir and open.
      if (!isNoSuchFile(error) || attempt === 5) throw sftpFailed(put.place, 'create', path, error);
      await makeFolders(sftp, put.place, folder);
    }
  }
}

/**
 * The commit. Servers without `posix-rename@openssh.com` (not OpenSSH) get a plain rename, and
 * when the target exists, a remove then a rename: not atomic, so such a server briefly shows no
 * object while one is replaced (Port-Yard writes each artifact under a new name, so rarely).
 */
async function commit(sftp: SFTPWrapper, put: SftpPut, tempPath: string): Promise<void> {
  const failed = (error: unknown): PortYardError =>
    sftpFailed(put.place, 'rename a temporary file to', put.finalPath, error);
  const renamed = await sftpExtension(sftp, (done) =>
    sftp.ext_openssh_rename(tempPath, put.finalPath, done),
  ).catch((error: unknown) => {
    throw failed(error);
  });
  if (renamed) return;
  try {
    await sftpCall(sftp, (done) => sftp.rename(tempPath, put.finalPath, done));
  } catch (error) {
    const existing = await sftpCall<Stats>(sftp, (done) => sftp.lstat(put.finalPath, done)).catch(
      () => undefined,
    );
    if (!existing?.isFile()) throw failed(error);
    await sftpCall(sftp, (done) => sftp.unlink(put.finalPath, done)).catch((unlinkError: unknown) => {
      throw failed(unlinkError);
    });
    await sftpCall(sftp, (done) => sftp.rename(tempPath, put.finalPath, done)).catch(
      (renameError: unknown) => {
        throw failed(renameError);
      },
    );
  }
}

function throwIfCancelled(put: SftpPut): void {
  const signal = put.signal;
  if (!signal?.aborted) return;
  throw new PortYardError(
    'CANCELLED',
    `storage "${put.place.storageName}": put of "${put.key}" was cancelled`,
    {
      phase: 'store',
      cause: signal.reason,
    },
  );
}
