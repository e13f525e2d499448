import type { ConnectionSettings } from '../engine.ts';
import { postgresDefaultPort } from './postgres-connection.ts';

/** libpq environment for pg_dump / pg_restore / psql: the password only through the PGPASSFILE. */
export function postgresToolEnv(
  connection: ConnectionSettings,
  passFile: string | undefined,
): Record<string, string | undefined> {
  const tls = connection.tls;
  const env: Record<string, string | undefined> = {
    PGHOST: connection.socket ?? connection.host ?? '127.0.0.1',
    PGPORT: String(connection.port ?? postgresDefaultPort),
    PGUSER: connection.user,
    PGAPPNAME: 'port-yard',
    PGCONNECT_TIMEOUT: '10',
    PGSSLMODE: tls?.mode ?? 'prefer',
    // Never let an operator's shell settings leak in and change what is dumped.
    PGDATABASE: undefined,
    PGPASSWORD: undefined,
    PGSERVICE: undefined,
    PGSERVICEFILE: undefined,
    PGOPTIONS: undefined,
  };
  if (passFile) env.PGPASSFILE = passFile;
  if (tls?.ca) env.PGSSLROOTCERT = tls.ca;
  if (tls?.cert) env.PGSSLCERT = tls.cert;
  if (tls?.key) env.PGSSLKEY = tls.key;
  return env;
}

/** One `.pgpass` line that matches any host, port and database for this user. */
export function pgpassLine(user: string, password: string): string {
  const escape = (value: string): string => value.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  if (/[\r\n]/.test(password)) throw new Error('passwords must not contain line breaks');
  return `*:*:*:${escape(user)}:${escape(password)}\n`;
}

/** `pg_dump (PostgreSQL) 15.19 (Debian 15.19-0+deb12u1)` → `{ version: '15.19', major: 15 }`. */
export function parsePostgresToolVersion(output: string): { version: string; major: number } {
  const match = /\(PostgreSQL\)\s+([0-9]+(?:\.[0-9]+)?)/.exec(output);
  const version = match?.[1] ?? 'unknown';
  return { version, major: Number.parseInt(version, 10) };
}
