import { posix } from 'node:path';
import type { SftpStorageConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { isReservedSegment, isTemporaryName } from '../filesystem-temp-name.ts';
import type { Storage } from '../storage.ts';
import { assertStorageKey, assertStoragePrefix } from '../storage-key.ts';
import { sftpCall } from './sftp-call.ts';
import { openSftpConnection } from './sftp-connect.ts';
import type { SftpPlace } from './sftp-errors.ts';
import { isNoSuchFile, remoteUrl, sftpFailed } from './sftp-errors.ts';
import { pruneEmptyFolders } from './sftp-folders.ts';
import { putRemote } from './sftp-put.ts';
import type { RemoteObject } from './sftp-read.ts';
import { getRemote, statRemote } from './sftp-read.ts';
import { createSftpSession } from './sftp-session.ts';
import { walkRemoteFiles } from './sftp-walk.ts';
import type { SftpWalkedFile } from './sftp-walk.ts';

export interface SftpStorageOptions {
  /** TCP connect, key exchange and authentication together; default 20 s. */
  readonly readyTimeoutMs?: number;
  /** Keepalive probe interval; three unanswered probes drop the connection. Default 15 s. */
  readonly keepaliveIntervalMs?: number;
  /**
   * One SFTP request (a write, the fsync, a rename) unanswered this long drops the connection and
   * fails what waits on it. Default 5 min (rclone's --timeout; an fsync of a large file takes a while).
   */
  readonly requestTimeoutMs?: number;
  /** An unused connection is closed after this; default 30 s. */
  readonly idleMs?: number;
  /** Milliseconds since the epoch, for `sweepTemporary`'s age test; `Date.now` unless a test says. */
  readonly now?: () => number;
}

/** A `Storage` that also closes its SSH connection: call `close` at shutdown for a prompt exit. */
export type SftpStorage = Storage & { close(): Promise<void> };

/**
 * A `Storage` in a folder on an SSH server. Objects are plain files laid out exactly as their
 * keys below `config.path` (absolute, or relative to the login folder), as on the filesystem
 * backend, with the same temporary names. One SSH connection is opened on the first call and
 * shared (see `sftp-session.ts`); the server must present the pinned host key (`hostKey`).
 * Modification times are the server's clock, in whole seconds (SFTP v3).
 */
export function createSftpStorage(
  name: string,
  config: SftpStorageConfig,
  options: SftpStorageOptions = {},
): SftpStorage {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const server = `sftp://${encodeURIComponent(config.user)}@${host}:${config.port}`;
  const base = posix.normalize(config.path).replace(/(.)\/+$/, '$1');
  const place: SftpPlace = { storageName: name, server };
  const now = options.now ?? Date.now;
  const session = createSftpSession({
    idleMs: options.idleMs ?? 30_000,
    connect: (onClosed) =>
      openSftpConnection(
        {
          ...config,
          storageName: name,
          server,
          readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
          keepaliveIntervalMs: options.keepaliveIntervalMs ?? 15_000,
          requestTimeoutMs: options.requestTimeoutMs ?? 5 * 60_000,
        },
        onClosed,
      ),
  });
  const objectAt = (key: string): RemoteObject => {
    assertStorageKey(key);
    if (key.split('/').some(isReservedSegment)) {
      throw new PortYardError(
        'INVALID_INPUT',
        `storage key reserved for temporary files: ${JSON.stringify(key)}`,
      );
    }
    return { place, key, path: posix.join(base, ...key.split('/')) };
  };
  const walk = (segments: readonly string[], descend?: (segments: readonly string[]) => boolean) =>
    walkRemoteFiles({ place, base, segments, descend, run: (work) => session.use(work) });

  return {
    name,
    location: remoteUrl(server, base),
    close: () => session.close(),
    async put(key, body, putOptions) {
      let object: RemoteObject;
      try {
        object = objectAt(key);
      } catch (error) {
        body.destroy();
        throw error;
      }
      const { path: finalPath } = object;
      const bytes = await putRemote({ place, session, key, finalPath, body, signal: putOptions?.signal });
      return { bytes };
    },
    get: async (key, getOptions) => getRemote(session, objectAt(key), getOptions),
    stat: async (key) => {
      const object = objectAt(key);
      return session.use((sftp) => statRemote(sftp, object));
    },
    async delete(key) {
      const object = objectAt(key);
      await session.use(async (sftp) => {
        if ((await statRemote(sftp, object)) === undefined) return; // a folder or a link is no object
        await sftpCall(sftp, (done) => sftp.unlink(object.path, done)).catch((error: unknown) => {
          if (!isNoSuchFile(error)) throw sftpFailed(place, 'delete', object.path, error);
        });
        await pruneEmptyFolders(sftp, base, key.split('/').slice(0, -1));
      });
    },
    async *list(prefix) {
      assertStoragePrefix(prefix);
      const lastSlash = prefix.lastIndexOf('/');
      const start = lastSlash === -1 ? [] : prefix.slice(0, lastSlash).split('/');
      // Enter only the folders that can hold keys starting with `prefix`.
      const descend = (folder: readonly string[]): boolean => {
        const folderKey = `${folder.join('/')}/`;
        return folderKey.startsWith(prefix) || prefix.startsWith(folderKey);
      };
      for await (const file of walk(start, descend)) {
        const key = file.segments.join('/');
        if (!key.startsWith(prefix) || !isObjectKey(key)) continue;
        yield { key, size: file.size, modifiedAt: new Date(file.mtime * 1000) };
      }
    },
    async sweepTemporary(olderThanMs) {
      if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
        throw new PortYardError('INVALID_INPUT', `sweepTemporary needs an age >= 0 ms, got ${olderThanMs}`);
      }
      // Collected first, removed after: the walk never reads a folder that is being pruned.
      const stale: SftpWalkedFile[] = [];
      for await (const file of walk([])) {
        if (isTemporaryName(file.segments.at(-1) ?? '') && file.mtime * 1000 < now() - olderThanMs)
          stale.push(file);
      }
      for (const file of stale) {
        await session.use(async (sftp) => {
          await sftpCall(sftp, (done) => sftp.unlink(file.path, done)).catch((error: unknown) => {
            if (!isNoSuchFile(error)) throw sftpFailed(place, 'remove the temporary file', file.path, error);
          });
          await pruneEmptyFolders(sftp, base, file.segments.slice(0, -1));
        });
      }
      return stale.map((file) => file.segments.join('/'));
    },
  };
}

/** Files no put could have made (a temp file, a stray `a\b`) are not objects. */
function isObjectKey(key: string): boolean {
  try {
    assertStorageKey(key);
  } catch {
    return false;
  }
  return !key.split('/').some((segment) => isReservedSegment(segment) || isTemporaryName(segment));
}
