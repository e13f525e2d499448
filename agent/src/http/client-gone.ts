import type { IncomingMessage } from 'node:http';

/**
 * Runs `work` with a signal that aborts when the client's connection closes: work for a client
 * that has hung up (a sign-in check waiting for its slot) is dropped instead of done for no one.
 * The listener goes with the work: a keep-alive connection carries many requests.
 */
export async function whileConnected<T>(
  request: IncomingMessage,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { socket } = request;
  const gone = new AbortController();
  const abort = (): void => gone.abort();
  if (socket.destroyed) abort();
  else socket.once('close', abort);
  try {
    return await work(gone.signal);
  } finally {
    socket.off('close', abort);
  }
}
