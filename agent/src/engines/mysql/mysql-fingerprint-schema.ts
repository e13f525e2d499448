/**
 * The schema half of the MariaDB change fingerprint: every information_schema row that describes
 * an object `mariadb-dump --routines --triggers --events` writes, minus columns that move without
 * a change (optimizer statistics, an event's last run). `SELECT *` on purpose: a column a newer
 * server adds is covered without touching this list.
 */

export type Row = Record<string, unknown>;
export type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;
/** Whether a schema-name column names the database fingerprinted (and not one differing in case). */
export type SameName = (name: unknown) => boolean;

/**
 * information_schema view → the column naming the database, and columns left out. The column is
 * the one MariaDB looks the database up by: filtered on another one, it opens every table of
 * every database on the server ("Scanned all databases" in EXPLAIN), slow on a big server. And
 * MariaDB 10.11.19 crashed in exactly that, on `KEY_COLUMN_USAGE WHERE CONSTRAINT_SCHEMA = ?`
 * (a segfault cleaning up after a failed temporary table while it opened the `sys` schema's
 * views). A trigger or a constraint always lives in its table's database, so filtering on the
 * table's database gives the same rows.
 */
const schemaViews: readonly (readonly [view: string, schemaColumn: string, volatile: readonly string[]])[] = [
  ['SCHEMATA', 'SCHEMA_NAME', []],
  ['COLUMNS', 'TABLE_SCHEMA', []],
  ['STATISTICS', 'TABLE_SCHEMA', ['CARDINALITY']],
  ['VIEWS', 'TABLE_SCHEMA', []],
  ['TRIGGERS', 'EVENT_OBJECT_SCHEMA', []],
  ['ROUTINES', 'ROUTINE_SCHEMA', []],
  ['PARAMETERS', 'SPECIFIC_SCHEMA', []],
  ['EVENTS', 'EVENT_SCHEMA', ['LAST_EXECUTED']],
  ['TABLE_CONSTRAINTS', 'TABLE_SCHEMA', []],
  ['REFERENTIAL_CONSTRAINTS', 'CONSTRAINT_SCHEMA', []],
  ['CHECK_CONSTRAINTS', 'CONSTRAINT_SCHEMA', []],
  ['KEY_COLUMN_USAGE', 'TABLE_SCHEMA', []],
];

/** The query that reads one view's rows of `database` (one `?`: the database name). */
export function schemaViewQueries(): {
  view: string;
  schemaColumn: string;
  volatile: readonly string[];
  sql: string;
}[] {
  return schemaViews.map(([view, schemaColumn, volatile]) => ({
    view,
    schemaColumn,
    volatile,
    sql: `SELECT * FROM information_schema.${view} WHERE ${schemaColumn} = ?`,
  }));
}

/** Sizes and estimates that InnoDB's background statistics and purge change on their own. */
export const volatileTableColumns = [
  'AVG_ROW_LENGTH',
  'DATA_LENGTH',
  'MAX_DATA_LENGTH',
  'INDEX_LENGTH',
  'DATA_FREE',
  'CHECK_TIME',
  'MAX_INDEX_LENGTH',
];

export function without(row: Row, columns: readonly string[]): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (!columns.includes(key)) out[key] = Buffer.isBuffer(value) ? value.toString('hex') : value;
  }
  return out;
}

/** Rows in a stable order whatever order the server returns them in. */
export function sortedRows(rows: Row[]): Row[] {
  return rows
    .map((row) => [JSON.stringify(row), row] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row);
}

/**
 * The comparison `schemaColumn = ?` follows the view's case-insensitive collation, so rows of a
 * database differing only in case are dropped here (another database must not move ours).
 */
export async function schemaFacts(
  query: Query,
  database: string,
  ours: SameName,
): Promise<Record<string, Row[]>> {
  const facts: Record<string, Row[]> = {};
  for (const { view, schemaColumn, volatile, sql } of schemaViewQueries()) {
    const rows = await query(sql, [database]);
    facts[view] = sortedRows(
      rows.filter((row) => ours(row[schemaColumn])).map((row) => without(row, volatile)),
    );
  }
  return facts;
}
