/**
 * Arguments for a complete, consistent, portable dump of one database:
 * - `--single-transaction` (a consistent InnoDB snapshot without locking writers) and `--quick`
 *   (rows streamed, not buffered in the tool);
 * - `--routines --triggers --events` (all schema objects), `--hex-blob` (binary data survives
 *   text transport), utf8mb4 (4-byte characters survive);
 * - the database given as a bare name: no `CREATE DATABASE` / `USE`, so the dump restores under
 *   any name (but for the `ALTER DATABASE` lines around routines and triggers made under another
 *   default collation, which a restore renames: rename-alter-database.ts);
 * - `--no-tablespaces` (no PROCESS privilege needed on MySQL 8);
 * - `--skip-add-locks`: no `LOCK TABLES t WRITE` around each table's rows. A table whose column
 *   defaults to `NEXTVAL(seq)` fails to load under that lock ("Table 'seq' was not locked with
 *   LOCK TABLES", MariaDB 10.11), so such a dump restored nowhere; the locks only speed up MyISAM;
 * - comments and the dump date stay on: the `-- Dump completed` trailer proves the dump is whole.
 * MySQL's own mysqldump 8.x also gets `--set-gtid-purged=OFF` (a restore under another name must
 * not touch the GTID state) — written from MySQL's docs, untested here (no MySQL server).
 */
export function mysqlDumpArgs(optionsFile: string, database: string, toolIsMysql8: boolean): string[] {
  return [
    `--defaults-extra-file=${optionsFile}`,
    '--single-transaction',
    '--quick',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--default-character-set=utf8mb4',
    '--no-tablespaces',
    '--skip-add-locks',
    ...(toolIsMysql8 ? ['--set-gtid-purged=OFF'] : []),
    '--', // a database name is never read as an option
    database,
  ];
}

/** Arguments for the `mariadb` / `mysql` client that loads a dump from stdin into `database`. */
export function mysqlRestoreArgs(optionsFile: string, database: string): string[] {
  return [
    `--defaults-extra-file=${optionsFile}`,
    '--binary-mode',
    '--default-character-set=utf8mb4',
    `--database=${database}`,
  ];
}

/** `mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, ...` or `mysqldump  Ver 8.0.36 for Linux ...`. */
export function parseMysqlToolVersion(output: string): { version: string; isMariadb: boolean } {
  const distrib = /Distrib ([0-9][^\s,]*)/.exec(output);
  const ver = /Ver ([0-9][^\s,]*)/.exec(output);
  const version = distrib?.[1] ?? ver?.[1] ?? 'unknown';
  return { version, isMariadb: /mariadb/i.test(output) };
}
