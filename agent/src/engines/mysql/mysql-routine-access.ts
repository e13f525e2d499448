import type mysql from 'mysql2/promise';
import { grantShape } from './grant-text.ts';

/**
 * mysqldump/mariadb-dump skip every stored procedure and function whose body the dump user may
 * not read, without an error or a word in the dump: a backup that looks complete and is not. A
 * user reads them all with SELECT on `mysql.proc` (MariaDB up to 11.2; a global SELECT covers it),
 * SHOW CREATE ROUTINE (MariaDB 11.3+) or SHOW_ROUTINE (MySQL 8.0.20+). Whether the database has
 * any routines cannot be asked without that right, so the lack of it is what is reported. A check
 * that cannot be made reports nothing.
 */
export async function routineAccessProblem(db: mysql.Connection): Promise<string | undefined> {
  const readsProc = await db.query('SELECT 1 FROM mysql.proc LIMIT 1').then(
    () => true,
    () => false,
  );
  if (readsProc) return undefined;
  // A check that cannot run (an odd server) must not fail the backup it only comments on.
  const rows = await db.query('SHOW GRANTS').then(
    ([result]) => result,
    () => undefined,
  );
  if (rows === undefined) return undefined;
  const grants = (rows as Record<string, string>[]).map((row) => grantShape(Object.values(row)[0] ?? ''));
  const global = grants.filter((grant) => /\bON \*\.\* TO\b/i.test(grant));
  const enough = global.some((grant) =>
    /\bALL PRIVILEGES\b|\bSHOW CREATE ROUTINE\b|\bSHOW_ROUTINE\b|^GRANT (?:[A-Z_ ]+, )*SELECT\b/i.test(grant),
  );
  if (enough) return undefined;
  return 'stored procedures and functions are not in this backup: the dump user may not read their bodies (grant SELECT ON mysql.proc, or SHOW CREATE ROUTINE on MariaDB 11.3+, SHOW_ROUTINE on MySQL 8.0.20+)';
}
