import type { RowDataPacket } from 'mysql2/promise';
import { defaultServer, withMariadb, withPostgres } from './servers.ts';
import type { Engine, ServerSettings } from './servers.ts';

/**
 * Content that backups often break: 4-byte UTF-8 (emoji; lost by a utf8mb3 connection or a wrong
 * client charset) and binary values (mangled by text transport without --hex-blob). Both finders
 * scan every eligible column, so they work on any database; compare their results before and
 * after a round trip, and against the known values below.
 */

/** The sakila (MariaDB) `staff.picture` of staff_id 1: a PNG. The only blob in the fixtures. */
export const SAKILA_STAFF_PICTURE = {
  table: 'staff',
  column: 'picture',
  bytes: 36_365,
  md5: '633ca8e521307444eb54a499fbe42832',
};

/** What the gh-ost mixed-charset event body writes into `tutf8mb4`: the fixtures' only 4-byte UTF-8. */
export const MIXED_CHARSET_EMOJI = '🍻😀';

export interface Utf8Sample {
  readonly table: string;
  readonly column: string;
  readonly value: string;
  /** The UTF-8 bytes as stored, uppercase hex: proves the bytes, not only the JS string. */
  readonly utf8Hex: string;
  /** How many rows hold this value. */
  readonly rows: number;
}

export interface BlobSample {
  readonly table: string;
  readonly column: string;
  readonly bytes: number;
  readonly md5: string;
  readonly rows: number;
}

const myIdent = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const pgIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Hex of UTF-8 whose lead byte is F0–F4, aligned to whole bytes: a code point above U+FFFF. */
const FOUR_BYTE_HEX = '^(..)*F[0-4]';

/** Distinct values (with row counts) that contain a code point above U+FFFF, in every text column. */
export async function fourByteUtf8Samples(
  engine: Engine,
  db: string,
  server: ServerSettings = defaultServer(engine),
): Promise<Utf8Sample[]> {
  const out: Utf8Sample[] = [];
  if (engine === 'mariadb') {
    await withMariadb(server, db, async (c) => {
      // Only these character sets can hold such code points at all.
      const [columns] = await c.query<RowDataPacket[]>(
        `SELECT c.TABLE_NAME AS t, c.COLUMN_NAME AS col FROM information_schema.COLUMNS c
           JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
          WHERE c.TABLE_SCHEMA = ? AND t.TABLE_TYPE = 'BASE TABLE'
            AND c.CHARACTER_SET_NAME IN ('utf8mb4', 'utf16', 'utf16le', 'utf32')
          ORDER BY 1, 2`,
        [db],
      );
      for (const { t, col } of columns as { t: string; col: string }[]) {
        const expr = `CONVERT(${myIdent(col)} USING utf8mb4)`;
        const [found] = await c.query<RowDataPacket[]>(
          // Grouped by the bytes: grouping by the value would merge values its collation deems equal.
          `SELECT MIN(${expr}) AS value, HEX(${expr}) AS hex, COUNT(*) AS n FROM ${myIdent(t)}
            WHERE HEX(${expr}) REGEXP ? GROUP BY HEX(${expr}) ORDER BY 2`,
          [FOUR_BYTE_HEX],
        );
        for (const r of found)
          out.push({ table: t, column: col, value: r.value, utf8Hex: r.hex, rows: Number(r.n) });
      }
    });
  } else {
    await withPostgres(server, db, async (c) => {
      const { rows: columns } = await c.query<{ s: string; t: string; col: string }>(
        `SELECT c.table_schema AS s, c.table_name AS t, c.column_name AS col FROM information_schema.columns c
           JOIN information_schema.tables t USING (table_schema, table_name)
          WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
            AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'xml', 'ARRAY', 'USER-DEFINED')
          ORDER BY 1, 2, 3`,
      );
      for (const { s, t, col } of columns) {
        const hex = `upper(encode(convert_to(${pgIdent(col)}::text, 'UTF8'), 'hex'))`;
        const { rows: found } = await c.query<{ value: string; hex: string; n: string }>(
          `SELECT ${pgIdent(col)}::text AS value, ${hex} AS hex, count(*) AS n FROM ONLY ${pgIdent(s)}.${pgIdent(t)}
            WHERE ${hex} ~ $1 GROUP BY 1, 2 ORDER BY 2`,
          [FOUR_BYTE_HEX],
        );
        for (const r of found) {
          out.push({ table: `${s}.${t}`, column: col, value: r.value, utf8Hex: r.hex, rows: Number(r.n) });
        }
      }
    });
  }
  return out;
}

/** Distinct non-empty binary values (length, md5, row count) of every binary column. */
export async function blobSamples(
  engine: Engine,
  db: string,
  server: ServerSettings = defaultServer(engine),
): Promise<BlobSample[]> {
  const out: BlobSample[] = [];
  if (engine === 'mariadb') {
    await withMariadb(server, db, async (c) => {
      const [columns] = await c.query<RowDataPacket[]>(
        `SELECT c.TABLE_NAME AS t, c.COLUMN_NAME AS col FROM information_schema.COLUMNS c
           JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
          WHERE c.TABLE_SCHEMA = ? AND t.TABLE_TYPE = 'BASE TABLE'
            AND c.DATA_TYPE IN ('binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob')
          ORDER BY 1, 2`,
        [db],
      );
      for (const { t, col } of columns as { t: string; col: string }[]) {
        const [found] = await c.query<RowDataPacket[]>(
          `SELECT LENGTH(${myIdent(col)}) AS bytes, MD5(${myIdent(col)}) AS md5, COUNT(*) AS n FROM ${myIdent(t)}
            WHERE LENGTH(${myIdent(col)}) > 0 GROUP BY 1, 2 ORDER BY 2`,
        );
        for (const r of found)
          out.push({ table: t, column: col, bytes: Number(r.bytes), md5: r.md5, rows: Number(r.n) });
      }
    });
  } else {
    await withPostgres(server, db, async (c) => {
      const { rows: columns } = await c.query<{ s: string; t: string; col: string }>(
        `SELECT c.table_schema AS s, c.table_name AS t, c.column_name AS col FROM information_schema.columns c
           JOIN information_schema.tables t USING (table_schema, table_name)
          WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
            AND c.data_type = 'bytea'
          ORDER BY 1, 2, 3`,
      );
      for (const { s, t, col } of columns) {
        const { rows: found } = await c.query<{ bytes: number; md5: string; n: string }>(
          `SELECT length(${pgIdent(col)}) AS bytes, md5(${pgIdent(col)}) AS md5, count(*) AS n
             FROM ONLY ${pgIdent(s)}.${pgIdent(t)} WHERE length(${pgIdent(col)}) > 0 GROUP BY 1, 2 ORDER BY 2`,
        );
        for (const r of found) {
          out.push({
            table: `${s}.${t}`,
            column: col,
            bytes: Number(r.bytes),
            md5: r.md5,
            rows: Number(r.n),
          });
        }
      }
    });
  }
  return out;
}
