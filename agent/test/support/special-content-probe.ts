import type { RowDataPacket } from 'mysql2/promise';
import { defaultServer, withMariadb, withPostgres } from './servers.ts';
import type { Engine, ServerSettings } from './servers.ts';

/**
 * A small table of hostile values a test adds to a database before backing it up. The PostgreSQL
 * fixtures hold no 4-byte UTF-8 and no binary data at all (every bytea is NULL), and the MariaDB
 * ones only one PNG and one emoji string, so without this those paths would go unproven.
 */
export const SPECIAL_CONTENT_PROBE_TABLE = 'py_special_content';

export interface ProbeRow {
  readonly id: number;
  readonly text: string | null;
  readonly blob: Buffer | null;
}

const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

export const SPECIAL_CONTENT_PROBE_ROWS: readonly ProbeRow[] = [
  { id: 1, text: '🍻😀', blob: everyByte },
  // U+1D11E, U+2070E (CJK ext. B) and U+10FFFF, the highest code point there is.
  { id: 2, text: '𝄞 clef, 𠜎 ext-B, \u{10FFFF} max', blob: Buffer.alloc(0) },
  // What naive escaping breaks: quotes, backslashes, line ends, Ctrl-Z, and a NUL in the blob.
  {
    id: 3,
    text: 'quote \' dq " backslash \\ nl \n cr \r tab \t ^Z \x1a',
    blob: Buffer.from([0, 0x5c, 0x27, 0x22, 0x0a, 0x0d, 0x1a]),
  },
  // Empty is not NULL: both must come back as they were.
  { id: 4, text: '', blob: null },
  { id: 5, text: null, blob: Buffer.from('trailing spaces   ', 'utf8') },
];

export async function insertSpecialContentProbe(
  engine: Engine,
  db: string,
  server: ServerSettings = defaultServer(engine),
): Promise<void> {
  if (engine === 'mariadb') {
    await withMariadb(server, db, async (c) => {
      await c.query(
        `CREATE TABLE \`${SPECIAL_CONTENT_PROBE_TABLE}\` (id INT PRIMARY KEY,
           text_value TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, blob_value LONGBLOB)`,
      );
      for (const r of SPECIAL_CONTENT_PROBE_ROWS) {
        await c.query(`INSERT INTO \`${SPECIAL_CONTENT_PROBE_TABLE}\` VALUES (?, ?, ?)`, [
          r.id,
          r.text,
          r.blob,
        ]);
      }
    });
  } else {
    await withPostgres(server, db, async (c) => {
      await c.query(
        `CREATE TABLE public.${SPECIAL_CONTENT_PROBE_TABLE} (id int PRIMARY KEY, text_value text, blob_value bytea)`,
      );
      for (const r of SPECIAL_CONTENT_PROBE_ROWS) {
        await c.query(`INSERT INTO public.${SPECIAL_CONTENT_PROBE_TABLE} VALUES ($1, $2, $3)`, [
          r.id,
          r.text,
          r.blob,
        ]);
      }
    });
  }
}

/** The probe rows as stored; `toEqual(SPECIAL_CONTENT_PROBE_ROWS)` after a restore. */
export async function readSpecialContentProbe(
  engine: Engine,
  db: string,
  server: ServerSettings = defaultServer(engine),
): Promise<ProbeRow[]> {
  const select = (table: string) => `SELECT id, text_value, blob_value FROM ${table} ORDER BY id`;
  const toProbeRow = (r: Record<string, unknown>): ProbeRow => ({
    id: Number(r.id),
    text: r.text_value as string | null,
    blob: r.blob_value as Buffer | null,
  });
  if (engine === 'mariadb') {
    return withMariadb(server, db, async (c) => {
      const [rows] = await c.query<RowDataPacket[]>(select(`\`${SPECIAL_CONTENT_PROBE_TABLE}\``));
      return rows.map(toProbeRow);
    });
  }
  return withPostgres(server, db, async (c) => {
    const { rows } = await c.query(select(`public.${SPECIAL_CONTENT_PROBE_TABLE}`));
    return rows.map(toProbeRow);
  });
}
