import { readFileSync } from 'node:fs';
import { PortYardError } from '@port-yard/shared';
import { fileErrorReason } from '../platform/file-error-reason.ts';
import type { ConnectionSettings } from './engine.ts';

/**
 * The TLS options both SQL drivers (mysql2, node-postgres) take, from a target's `tls` block:
 * undefined when TLS is off. `prefer` counts as off here: neither driver can fall back to a
 * plain connection, and these connections only probe the server (the dump tools honour prefer).
 */
export function tlsClientOptions(connection: ConnectionSettings) {
  const tls = connection.tls;
  if (!tls || tls.mode === 'disable' || tls.mode === 'prefer') return undefined;
  const read = (field: 'ca' | 'cert' | 'key'): string | undefined => {
    const path = tls[field];
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      // The config's file, not the server: "cannot connect … ENOENT" blamed the wrong thing.
      throw new PortYardError(
        'CONFIG_INVALID',
        `tls.${field}: cannot read ${path}: ${fileErrorReason(error)}`,
        {
          phase: 'connect',
          cause: error,
        },
      );
    }
  };
  return {
    ca: read('ca'),
    cert: read('cert'),
    key: read('key'),
    rejectUnauthorized: tls.mode !== 'require',
    // verify-ca checks the chain but not the host name.
    ...(tls.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}
