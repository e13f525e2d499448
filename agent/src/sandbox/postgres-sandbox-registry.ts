import type pg from 'pg';
import type { ConnectionSettings } from '../engines/engine.ts';
import { withPostgresConnection } from '../engines/postgres/postgres-connection.ts';
import {
  registryDatabase,
  type SandboxRecord,
  type SandboxRegistry,
  type SandboxStatus,
} from './sandbox-registry.ts';
import { postgresMaintenanceDatabase as maintenanceDatabase } from '../engines/sql-quoting.ts';

interface Row {
  id: string;
  target: string;
  artifact_id: string;
  database_name: string;
  user_name: string;
  created_at: Date;
  expires_at: Date;
  created_by: string;
  status: SandboxStatus;
}

/** The registry on PostgreSQL: the table `sandboxes` in the database `port_yard`. */
export function createPostgresSandboxRegistry(connection: ConnectionSettings): SandboxRegistry {
  const use = <T>(work: (client: pg.Client) => Promise<T>): Promise<T> =>
    withPostgresConnection(connection, registryDatabase, work);
  const changed = async (sql: string, params: unknown[]): Promise<boolean> =>
    use(async (client) => ((await client.query(sql, params)).rowCount ?? 0) > 0);
  const registryExists = (): Promise<boolean> =>
    withPostgresConnection(connection, maintenanceDatabase, async (client) => {
      const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [registryDatabase]);
      return rows.length > 0;
    });

  return {
    async ensure() {
      if (!(await registryExists())) {
        await withPostgresConnection(connection, maintenanceDatabase, async (client) => {
          try {
            await client.query(`CREATE DATABASE ${registryDatabase}`);
          } catch (error) {
            // 42P04 duplicate_database: another agent created it just now.
            if ((error as { code?: string }).code !== '42P04') throw error;
          }
          // Nobody but the admin (and superusers) may connect: sandbox roles see nothing of it.
          await client.query(`REVOKE ALL ON DATABASE ${registryDatabase} FROM PUBLIC`);
        });
      }
      await use((client) =>
        client.query(
          `CREATE TABLE IF NOT EXISTS sandboxes (
             id text PRIMARY KEY,
             target text NOT NULL,
             artifact_id text NOT NULL,
             database_name text NOT NULL,
             user_name text NOT NULL,
             created_at timestamptz NOT NULL,
             expires_at timestamptz NOT NULL,
             created_by text NOT NULL,
             status text NOT NULL
           )`,
        ),
      );
    },

    async list() {
      if (!(await registryExists())) return [];
      return use(async (client) => {
        const { rows: table } = await client.query(
          `SELECT to_regclass('public.sandboxes') IS NOT NULL AS found`,
        );
        if (!table[0]?.found) return [];
        const { rows } = await client.query<Row>('SELECT * FROM sandboxes ORDER BY created_at, id');
        return rows.map(fromRow);
      });
    },

    async insert(record) {
      await use((client) =>
        client.query(
          `INSERT INTO sandboxes (id, target, artifact_id, database_name, user_name, created_at, expires_at, created_by, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            record.id,
            record.target,
            record.artifactId,
            record.database,
            record.user,
            record.createdAt,
            record.expiresAt,
            record.createdBy,
            record.status,
          ],
        ),
      );
    },

    markReady: (id, expiresAt) =>
      changed(
        `UPDATE sandboxes SET status = 'ready', expires_at = $1 WHERE id = $2 AND status = 'creating'`,
        [expiresAt, id],
      ),

    setExpiry: (id, expiresAt) =>
      changed(`UPDATE sandboxes SET expires_at = $1 WHERE id = $2 AND status = 'ready'`, [expiresAt, id]),

    claimForDrop: (id, now, onlyExpired) =>
      changed(
        `UPDATE sandboxes SET status = 'dropping', expires_at = LEAST(expires_at, $2)
         WHERE id = $1${onlyExpired ? ' AND expires_at <= $2' : ''}`,
        [id, now],
      ),

    async remove(id) {
      await use((client) => client.query('DELETE FROM sandboxes WHERE id = $1', [id]));
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
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    createdBy: row.created_by,
    status: row.status,
  };
}
