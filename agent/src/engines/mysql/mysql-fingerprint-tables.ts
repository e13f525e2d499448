import type { Query, Row } from './mysql-fingerprint-schema.ts';
import { quoteMysqlIdentifier as quote } from '../sql-quoting.ts';

/** Per-table data facts of the MariaDB fingerprint that information_schema.TABLES does not give. */

/** Tables of these engines without a live checksum are read whole (CHECKSUM TABLE) up to this size. */
const smallTableBytes = 16 * 1024 * 1024;

/**
 * Which change signal each base table has:
 * - InnoDB: UPDATE_TIME, TABLE_ID, MODIFIED_COUNTER (with the guards of mysql-fingerprint-guards);
 * - a live checksum (MyISAM/Aria CHECKSUM=1): TABLES.CHECKSUM, kept current on every write;
 * - MyISAM: UPDATE_TIME, the data file's modification time;
 * - MEMORY and Aria (whose UPDATE_TIME moves only when its page cache is flushed), when small:
 *   CHECKSUM TABLE, which reads them whole;
 * - anything else (CSV, ARCHIVE, MERGE, CONNECT, a big MEMORY/Aria table...): none, so unsure.
 */
export function dataSignals(tables: Row[], unsure: string[]): { innodb: Row[]; checksummed: string[] } {
  const base = tables.filter((t) => t.TABLE_TYPE === 'BASE TABLE' || t.TABLE_TYPE === 'SYSTEM VERSIONED');
  const innodb = base.filter((t) => t.ENGINE === 'InnoDB');
  const checksummed: string[] = [];
  for (const table of base.filter((t) => t.ENGINE !== 'InnoDB' && t.CHECKSUM === null)) {
    const name = String(table.TABLE_NAME);
    const small = Number(table.DATA_LENGTH) <= smallTableBytes;
    if (table.ENGINE === 'MyISAM' && table.updatedAt !== null) continue;
    if ((table.ENGINE === 'MEMORY' || table.ENGINE === 'Aria') && small) checksummed.push(name);
    else unsure.push(`table ${name} (${String(table.ENGINE)}) has no change signal`);
  }
  return { innodb, checksummed };
}

/**
 * InnoDB's dictionary names a table `<db>/<table>` in MariaDB's filename encoding: ASCII letters,
 * digits and `_` as they are, any other ASCII character as `@` and 4 hex digits. Non-ASCII
 * characters have their own short codes, not mapped here (undefined).
 */
export function innodbDatabasePrefix(database: string): string | undefined {
  if (!/^[\x20-\x7e]+$/.test(database)) return undefined;
  const encoded = database.replace(
    /[^A-Za-z0-9_]/g,
    (c) => `@${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${encoded}/`;
}

/**
 * TABLE_ID changes when TRUNCATE or a rebuilding ALTER makes a new table, which leaves
 * UPDATE_TIME as it was. MODIFIED_COUNTER counts changed rows since the last statistics
 * recalculation: a second witness to writes (it resets on recalculation, so never the only one).
 */
export async function innodbFacts(
  query: Query,
  { database, lowerCaseNames }: { database: string; lowerCaseNames: boolean },
  unsure: string[],
): Promise<Row[]> {
  const prefix = innodbDatabasePrefix(lowerCaseNames ? database.toLowerCase() : database);
  if (prefix === undefined) {
    unsure.push('the database name is not ASCII: its InnoDB dictionary entries are not read');
    return [];
  }
  try {
    const rows = await query(
      `SELECT t.NAME AS name, t.TABLE_ID AS id, s.MODIFIED_COUNTER AS modified
       FROM information_schema.INNODB_SYS_TABLES t
       LEFT JOIN information_schema.INNODB_SYS_TABLESTATS s ON s.TABLE_ID = t.TABLE_ID
       WHERE t.NAME LIKE ? ORDER BY t.NAME`,
      [`${prefix.replace(/[\\%_]/g, '\\$&')}%`],
    );
    // LIKE ignores case here; with lower_case_table_names=0 another database may differ only in case.
    return rows.filter((row) => String(row.name).startsWith(prefix));
  } catch (error) {
    unsure.push(
      `cannot read the InnoDB dictionary (needs the PROCESS privilege): ${(error as Error).message}`,
    );
    return [];
  }
}

/**
 * A sequence's state lives in its single row; NEXTVAL served from the cache changes nothing that
 * mariadb-dump writes (it dumps next_not_cached_value), so neither does it change this.
 */
export async function sequenceFacts(
  query: Query,
  database: string,
  tables: Row[],
  unsure: string[],
): Promise<Record<string, Row | undefined>> {
  const facts: Record<string, Row | undefined> = {};
  for (const table of tables.filter((t) => t.TABLE_TYPE === 'SEQUENCE')) {
    const name = String(table.TABLE_NAME);
    try {
      [facts[name]] = await query(`SELECT * FROM ${quote(database)}.${quote(name)}`);
    } catch (error) {
      unsure.push(`cannot read sequence ${name}: ${(error as Error).message}`);
    }
  }
  return facts;
}

export async function smallTableChecksums(query: Query, database: string, tables: string[]): Promise<Row[]> {
  if (tables.length === 0) return [];
  const list = tables.map((table) => `${quote(database)}.${quote(table)}`).join(', ');
  return query(`CHECKSUM TABLE ${list} EXTENDED`);
}
