import type { SFTPWrapper } from 'ssh2';

/**
 * Channels that have closed. ssh2 queues a request on a closed channel and never answers it (the
 * request is neither sent nor failed), so every call checks this first and fails at once instead.
 * Requests already waiting when the channel closes are failed by ssh2 itself.
 */
const closedChannels = new WeakSet<SFTPWrapper>();

/** Called once for each new channel, before any call on it. */
export function trackChannel(sftp: SFTPWrapper): void {
  const markClosed = (): void => void closedChannels.add(sftp);
  sftp.once('end', markClosed);
  sftp.once('close', markClosed);
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
    try {
      start((error, value) => (error ? reject(error) : resolve(value as T)));
    } catch (error) {
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
    try {
      start((error) => (error ? reject(error) : resolve(true)));
    } catch {
      resolve(false);
    }
  });
}
