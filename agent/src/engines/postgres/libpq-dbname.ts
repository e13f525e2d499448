/**
 * A database name for libpq tools' `--dbname`, which libpq reads as a connection string when the
 * name holds `=` or starts with `postgresql://`: a database named `dbname=postgres host=elsewhere`
 * would otherwise be dumped from another database or host. As `dbname='<name>'` (quotes and
 * backslashes escaped), every name is read as exactly that name.
 */
export function libpqDbname(database: string): string {
  return `dbname='${database.replace(/[\\']/g, (character) => `\\${character}`)}'`;
}
