import type mysql from 'mysql2/promise';
import type { ConnectionSettings } from '../engines/engine.ts';
import { withMysqlConnection } from '../engines/mysql/mysql-connection.ts';
import type { SandboxRecord, SandboxRegistry, SandboxStatus } from './sandbox-registry.ts';

const table = '`port_yard`.`sandboxes`';

/** DATETIME(3) holds UTC, written and read as text: no driver or session time zone in between. */
const toDatetime = (date: Date): string => date.toISOString().replace('T', ' ').replace('Z', '');
const fromDatetime = (text: string): Date => new Date(`${text.replace(' ', 'T')}Z`);

interface Row {
  id: string;
  target: string;
  artifact_id: string;
  database_name: string;
  user_name: string;
  created_at: string;
  expires_at: string;
  created_by: string;
  status: SandboxStatus;
}

/** The registry on MariaDB/MySQL: `port_yard`.`sandboxes`. */
export function createMysqlSandboxRegistry(connection: ConnectionSettings): SandboxRegistry {
  const use = <T>(work: (db: mysql.Connection) => Promise<T>): Promise<T> =>
    withMysqlConnection(connection, work);
  const changed = async (sql: string, params: unknown[]): Promise<boolean> =>
    use(async (db) => ((await db.query(sql, params))[0] as mysql.ResultSetHeader).affectedRows > 0);

  return {
    async ensure() {
      await use(async (db) => {
        await db.query('CREATE DATABASE IF NOT EXISTS `port_yard` CHARACTER SET utf8mb4');
        await db.query(
          `CREATE TABLE IF NOT EXISTS ${table} (
             id VARCHAR(64) NOT NULL PRIMARY KEY,
             target VARCHAR(64) NOT NULL,
             artifact_id VARCHAR(128) NOT NULL,
             database_name VARCHAR(64) NOT NULL,
             user_name VARCHAR(64) NOT NULL,
             created_at DATETIME(3) NOT NULL COMMENT 'UTC',
             expires_at DATETIME(3) NOT NULL COMMENT 'UTC',
             created_by VARCHAR(255) NOT NULL,
             status VARCHAR(16) NOT NULL
           ) ENGINE=InnoDB CHARACTER SET utf8mb4 COMMENT 'Port-Yard developer sandboxes'`,
        );
      });
    },

    list: () =>
      use(async (db) => {
        const [found] = await db.query(
          `SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'port_yard' AND TABLE_NAME = 'sandboxes'`,
        );
        if ((found as unknown[]).length === 0) return [];
        const [rows] = await db.query(
          `SELECT id, target, artifact_id, database_name, user_name, CAST(created_at AS CHAR) AS created_at,
                  CAST(expires_at AS CHAR) AS expires_at, created_by, status
           FROM ${table} ORDER BY created_at, id`,
        );
        return (rows as Row[]).map(fromRow);
      }),

    async insert(record) {
      await use((db) =>
        db.query(
          `INSERT INTO ${table} (id, target, artifact_id, database_name, user_name, created_at, expires_at, created_by, status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            record.id,
            record.target,
            record.artifactId,
            record.database,
            record.user,
            toDatetime(record.createdAt),
            toDatetime(record.expiresAt),
            record.createdBy,
            record.status,
          ],
        ),
      );
    },

    markReady: (id, expiresAt) =>
      changed(`UPDATE ${table} SET status = 'ready', expires_at = ? WHERE id = ? AND status = 'creating'`, [
        toDatetime(expiresAt),
        id,
      ]),

    setExpiry: (id, expiresAt) =>
      changed(`UPDATE ${table} SET expires_at = ? WHERE id = ? AND status = 'ready'`, [
        toDatetime(expiresAt),
        id,
      ]),

    claimForDrop: (id, now, onlyExpired) =>
      changed(
        `UPDATE ${table} SET status = 'dropping', expires_at = IF(expires_at > ?, ?, expires_at)
         WHERE id = ?${onlyExpired ? ' AND expires_at <= ?' : ''}`,
        [toDatetime(now), toDatetime(now), id, ...(onlyExpired ? [toDatetime(now)] : [])],
      ),

    async remove(id) {
      await use((db) => db.query(`DELETE FROM ${table} WHERE id = ?`, [id]));
    },
  };
}

function fromRow(row: Row): SandboxRecord {
  return {
    id: row.id,
    target: row.target,
    artifactId: row.artifact_id,
    database: row.database_name,
    user: row.user_name,
    createdAt: fromDatetime(row.created_at),
    expiresAt: fromDatetime(row.expires_at),
    createdBy: row.created_by,
    status: row.status,
  };
}
