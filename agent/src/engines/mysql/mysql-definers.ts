import type { ConnectionSettings } from '../engine.ts';
import { withMysqlConnection } from './mysql-connection.ts';

/**
 * The accounts (and MariaDB roles) that the views, routines, triggers and events of `database` run
 * as (their `DEFINER`) and that this server lacks, as `'user'@'host'`. A dump keeps its definers,
 * and the server takes such objects without a word; each fails when used ("The user specified as
 * a definer does not exist", a trigger on every insert into its table): on a rebuilt server, a
 * restore that looks complete and is not. Empty when it cannot tell (no SELECT on mysql.user).
 */
export async function mysqlMissingDefiners(
  connection: ConnectionSettings,
  database: string,
): Promise<string[]> {
  return withMysqlConnection(connection, async (db) => {
    const [definers] = await db.query(
      `SELECT DEFINER AS definer FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?
       UNION SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
       UNION SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
       UNION SELECT DEFINER FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`,
      [database, database, database, database],
    );
    const named = (definers as { definer: string }[]).map((row) => String(row.definer));
    if (named.length === 0) return [];
    const accounts = await db.query('SELECT User AS user, Host AS host FROM mysql.user').then(
      ([rows]) => rows as { user: string; host: string }[],
      () => undefined,
    );
    if (accounts === undefined) return [];
    // `user@host` (a role: `role@`); the user part may itself hold an @, the host never does.
    const known = new Set(accounts.map((account) => `${String(account.user)}@${String(account.host)}`));
    return [...new Set(named)]
      .filter((definer) => !known.has(definer))
      .sort()
      .map((definer) => {
        const at = definer.lastIndexOf('@');
        return `'${definer.slice(0, at)}'@'${definer.slice(at + 1)}'`;
      });
  });
}
