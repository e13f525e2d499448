import { readFileSync } from 'node:fs';
import type { ConnectionSettings } from './engine.ts';

/**
 * The TLS options both SQL drivers (mysql2, node-postgres) take, from a target's `tls` block:
 * undefined when TLS is off. `prefer` counts as off here: neither driver can fall back to a
 * plain connection, and these connections only probe the server (the dump tools honour prefer).
 */
export function tlsClientOptions(connection: ConnectionSettings) {
  const tls = connection.tls;
  if (!tls || tls.mode === 'disable' || tls.mode === 'prefer') return undefined;
  const read = (path: string | undefined): string | undefined =>
    path ? readFileSync(path, 'utf8') : undefined;
  return {
    ca: read(tls.ca),
    cert: read(tls.cert),
    key: read(tls.key),
    rejectUnauthorized: tls.mode !== 'require',
    // verify-ca checks the chain but not the host name.
    ...(tls.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}
