import type pg from 'pg';
import { PortYardError } from '@port-yard/shared';
import type { ConnectionSettings } from '../engine.ts';
import { isUnreachable } from '../network-errors.ts';
import { tlsClientOptions } from '../tls-client-options.ts';
import { describeConnection } from '../describe-connection.ts';
import { shareConnection, type SharedConnection } from '../shared-connection.ts';

export const postgresDefaultPort = 5432;

/** Runs `use` on a short-lived connection to `database`, classifying connection failures. */
export async function withPostgresConnection<T>(
  connection: ConnectionSettings,
  database: string,
  use: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connectPostgres(connection, database);
  try {
    return await use(client);
  } catch (error) {
    throw classifyPostgresError(error, describeConnection(connection, postgresDefaultPort), database);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One connection to `database` for several uses (shared-connection.ts). */
export function sharePostgresConnection(
  connection: ConnectionSettings,
  database: string,
): SharedConnection<pg.Client> {
  return shareConnection({
    connect: () => connectPostgres(connection, database),
    end: (client) => client.end(),
    classify: (error) =>
      classifyPostgresError(error, describeConnection(connection, postgresDefaultPort), database),
  });
}

/** A connection to `database`; its failure classified (a missing database: NOT_FOUND, 3D000). */
async function connectPostgres(connection: ConnectionSettings, database: string): Promise<pg.Client> {
  // Loaded on first use: a run that never talks to PostgreSQL does not pay for the driver.
  const { Client } = (await import('pg')).default;
  const client = new Client({
    host: connection.socket ?? connection.host ?? '127.0.0.1',
    port: connection.port ?? postgresDefaultPort,
    user: connection.user,
    password: connection.password,
    database,
    ssl: tlsClientOptions(connection) ?? false,
    connectionTimeoutMillis: 10_000,
    application_name: 'port-yard',
  });
  // A connection dropped by the server later must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw classifyPostgresError(error, describeConnection(connection, postgresDefaultPort), database);
  }
}

/** Whether `error` is a connection refused because its database does not exist. */
export function isMissingPostgresDatabase(error: unknown): boolean {
  return error instanceof PortYardError && (error.cause as { code?: unknown } | undefined)?.code === '3D000';
}

export function classifyPostgresError(error: unknown, where: string, database: string): PortYardError {
  if (error instanceof PortYardError) return error;
  const { code, message } = error as { code?: string; message?: string };
  const text = `${where}/${database}: ${message ?? String(error)}`;
  if (code === '28P01' || code === '28000' || code === '42501') {
    return new PortYardError('AUTH_FAILED', `access denied for ${text}`, { phase: 'connect', cause: error });
  }
  if (code === '3D000') return new PortYardError('NOT_FOUND', text, { phase: 'connect', cause: error });
  if (isUnreachable(code) || /timeout/i.test(message ?? '')) {
    return new PortYardError('CONNECTION_FAILED', `cannot connect to ${text}`, {
      phase: 'connect',
      cause: error,
    });
  }
  return new PortYardError('CONNECTION_FAILED', text, { phase: 'connect', cause: error });
}
