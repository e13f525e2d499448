import type mysql from 'mysql2/promise';
import { PortYardError } from '@port-yard/shared';
import type { ConnectionSettings } from '../engine.ts';
import { isUnreachable } from '../network-errors.ts';
import { tlsClientOptions } from '../tls-client-options.ts';
import { describeConnection } from '../describe-connection.ts';
import { shareConnection, type SharedConnection } from '../shared-connection.ts';

export const mysqlDefaultPort = 3306;

/** Runs `use` with a short-lived connection, and classifies connection failures. */
export async function withMysqlConnection<T>(
  connection: ConnectionSettings,
  use: (db: mysql.Connection) => Promise<T>,
): Promise<T> {
  const db = await connectMysql(connection);
  try {
    return await use(db);
  } catch (error) {
    throw classifyMysqlError(error, describeConnection(connection, mysqlDefaultPort));
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** One connection for several uses (shared-connection.ts). */
export function shareMysqlConnection(connection: ConnectionSettings): SharedConnection<mysql.Connection> {
  return shareConnection({
    connect: () => connectMysql(connection),
    end: (db) => db.end(),
    classify: (error) => classifyMysqlError(error, describeConnection(connection, mysqlDefaultPort)),
  });
}

async function connectMysql(connection: ConnectionSettings): Promise<mysql.Connection> {
  try {
    // Loaded on first use: a run that never talks to MariaDB/MySQL does not pay for the driver.
    const { createConnection } = (await import('mysql2/promise')).default;
    return await createConnection({
      host: connection.socket ? undefined : (connection.host ?? '127.0.0.1'),
      port: connection.socket ? undefined : (connection.port ?? mysqlDefaultPort),
      socketPath: connection.socket,
      user: connection.user,
      password: connection.password,
      ssl: tlsClientOptions(connection) as mysql.SslOptions | undefined,
      connectTimeout: 10_000,
      charset: 'utf8mb4',
    });
  } catch (error) {
    throw classifyMysqlError(error, describeConnection(connection, mysqlDefaultPort));
  }
}

export function classifyMysqlError(error: unknown, where: string): PortYardError {
  if (error instanceof PortYardError) return error;
  const { code, message } = error as { code?: string; message?: string };
  const text = `${where}: ${message ?? String(error)}`;
  if (
    code === 'ER_ACCESS_DENIED_ERROR' ||
    code === 'ER_DBACCESS_DENIED_ERROR' ||
    code === 'ER_TABLEACCESS_DENIED_ERROR'
  ) {
    return new PortYardError('AUTH_FAILED', `access denied for ${text}`, { phase: 'connect', cause: error });
  }
  if (isUnreachable(code)) {
    return new PortYardError('CONNECTION_FAILED', `cannot connect to ${text}`, {
      phase: 'connect',
      cause: error,
    });
  }
  if (code === 'ER_BAD_DB_ERROR')
    return new PortYardError('NOT_FOUND', text, { phase: 'connect', cause: error });
  return new PortYardError('CONNECTION_FAILED', text, { phase: 'connect', cause: error });
}
