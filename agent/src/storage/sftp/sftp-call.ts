import type { SFTPWrapper } from 'ssh2';

/**
 * Channels that have closed. ssh2 queues a request on a closed channel and never answers it (the
 * request is neither sent nor failed), so every call checks this first and fails at once instead.
 * Requests already waiting when the channel closes are failed by ssh2 itself.
 */
const closedChannels = new WeakSet<SFTPWrapper>();

/**
 * How long a channel's server may take to answer one request, and how to give the connection up
 * when it does not. SSH keepalives are answered by sshd even while a separate `sftp-server`
 * process (Debian's default subsystem) is stuck on a hung disk, so without this a request to it
 * would wait forever, and with it the backup run and every other destination.
 */
export interface AnswerDeadline {
  readonly timeoutMs: number;
  /** Drops the connection: ssh2 then fails every other request waiting on it. */
  readonly giveUp: () => void;
}

const deadlines = new WeakMap<SFTPWrapper, AnswerDeadline>();

/** Called once for each new channel, before any call on it. */
export function trackChannel(sftp: SFTPWrapper, deadline?: AnswerDeadline): void {
  const markClosed = (): void => void closedChannels.add(sftp);
  sftp.once('end', markClosed);
  sftp.once('close', markClosed);
  if (deadline !== undefined) deadlines.set(sftp, deadline);
}

/** Rejects through `reject` and drops the connection when no answer comes in time; clear it on one. */
function awaitAnswer(sftp: SFTPWrapper, reject: (error: Error) => void): NodeJS.Timeout | undefined {
  const deadline = deadlines.get(sftp);
  if (deadline === undefined) return undefined;
  const seconds = Math.round(deadline.timeoutMs / 1000);
  return setTimeout(() => {
    reject(new Error(`the server did not answer within ${seconds} s (a hung disk or sftp-server?)`));
    deadline.giveUp();
  }, deadline.timeoutMs).unref();
}

export function isChannelClosed(sftp: SFTPWrapper): boolean {
  return closedChannels.has(sftp);
}

/**
 * One ssh2 callback call as a promise. ssh2 also throws synchronously (an unsupported extension,
 * bad arguments): that becomes a rejection too, so callers see one path.
 */
export function sftpCall<T = void>(
  sftp: SFTPWrapper,
  start: (done: (error: Error | null | undefined, value?: T) => void) => void,
): Promise<T> {
  if (closedChannels.has(sftp)) return Promise.reject(new Error('the SFTP channel is closed'));
  return new Promise<T>((resolve, reject) => {
    const timer = awaitAnswer(sftp, reject);
    try {
      start((error, value) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value as T);
      });
    } catch (error) {
      clearTimeout(timer);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/**
 * Runs an OpenSSH extension request. Resolves false, sending nothing, when the server did not
 * announce the extension (ssh2 then throws synchronously); rejects with the server's error.
 */
export function sftpExtension(
  sftp: SFTPWrapper,
  start: (done: (error?: Error | null) => void) => void,
): Promise<boolean> {
  if (closedChannels.has(sftp)) return Promise.reject(new Error('the SFTP channel is closed'));
  return new Promise((resolve, reject) => {
    const timer = awaitAnswer(sftp, reject);
    try {
      start((error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(true);
      });
    } catch {
      clearTimeout(timer);
      resolve(false);
    }
  });
}
