import type { ConnectionSettings } from './engine.ts';

/** `user@host:port` or `user@socket`, for messages: never the password. */
export function describeConnection(connection: ConnectionSettings, defaultPort: number): string {
  const where = connection.socket ?? `${connection.host ?? '127.0.0.1'}:${connection.port ?? defaultPort}`;
  return `${connection.user}@${where}`;
}
