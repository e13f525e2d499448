import type { SFTPWrapper } from 'ssh2';
import type { SftpConnection } from './sftp-connect.ts';

export interface SftpSessionOptions {
  /** Opens a new connection; `onClosed` runs once when it drops or is ended. */
  readonly connect: (onClosed: () => void) => Promise<SftpConnection>;
  /** A connection nothing uses for this long is closed (the next call opens a new one). */
  readonly idleMs: number;
}

/**
 * One SSH connection shared by every call of a storage: opened by the first call, reused while it
 * lives, opened again after it dropped, closed after `idleMs` unused (so a NAS with few SSH slots
 * is not held between nightly runs, and a one-shot CLI run is not kept alive by it for long).
 */
export interface SftpSession {
  /**
   * Runs `work` on the SFTP channel, keeping the connection open meanwhile. When `work` fails
   * because a connection opened by an earlier call had dropped in the meantime, it runs once more
   * on a new connection, unless `mayRetry` says the work already had effects it cannot repeat.
   */
  use<T>(work: (sftp: SFTPWrapper) => Promise<T>, mayRetry?: () => boolean): Promise<T>;
  /** Keeps the connection from the idle close until the returned function runs (for a stream). */
  hold(): () => void;
  /** Closes the connection now; a later call opens a new one. */
  close(): Promise<void>;
}

export function createSftpSession(options: SftpSessionOptions): SftpSession {
  let current: Promise<SftpConnection> | undefined;
  let active = 0;
  let idleTimer: NodeJS.Timeout | undefined;

  const connection = (): Promise<SftpConnection> => {
    if (current !== undefined) return current;
    const opening: Promise<SftpConnection> = options.connect(() => {
      if (current === opening) current = undefined;
    });
    current = opening;
    // A failed attempt is forgotten: the next call tries again rather than replaying the error.
    opening.catch(() => {
      if (current === opening) current = undefined;
    });
    return opening;
  };

  const hold = (): (() => void) => {
    active++;
    clearTimeout(idleTimer);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--active > 0) return;
      // Unref'd: an idle connection must not be why the process stays up.
      idleTimer = setTimeout(() => void close(), options.idleMs).unref();
    };
  };

  const close = async (): Promise<void> => {
    clearTimeout(idleTimer);
    const closing = current;
    current = undefined;
    const open = await closing?.catch(() => undefined);
    await open?.end();
  };

  return {
    hold,
    close,
    async use(work, mayRetry = () => true) {
      const release = hold();
      try {
        for (let attempt = 1; ; attempt++) {
          const reused = current !== undefined;
          const open = await connection();
          try {
            return await work(open.sftp);
          } catch (error) {
            if (attempt > 1 || !reused || !open.closed || !mayRetry()) throw error;
          }
        }
      } finally {
        release();
      }
    },
  };
}
