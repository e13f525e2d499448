import { createHash } from 'node:crypto';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { DatabaseDescription, TableDescription } from './database-fingerprint.ts';
import { pick } from './facts.ts';
import type { Facts, Row } from './facts.ts';
import { withMariadb } from './servers.ts';
import type { ServerSettings } from './servers.ts';

/**
 * MariaDB side of describeDatabase. Left out on purpose: DEFINERs (a restore run by another
 * account legitimately changes them), CREATED/LAST_ALTERED times, and the schema name itself.
 */

const md5 = (text: string | null) => (text === null ? null : createHash('md5').update(text).digest('hex'));
const ident = (name: string) => `\`${name.replace(/`/g, '``')}\``;

async function rows(c: Connection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [result] = await c.query<RowDataPacket[]>(sql, params);
  return result as Row[];
}

function group<T>(items: Row[], key: (r: Row) => string, value: (r: Row) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const r of items) out[key(r)] = value(r);
  return out;
}

export async function describeMariadb(server: ServerSettings, db: string): Promise<DatabaseDescription> {
  return withMariadb(server, db, async (c) => {
    // Event STARTS/ENDS are shown in the session zone: pin it.
    await c.query("SET time_zone = '+00:00'");

    const [schema] = await rows(
      c,
      `SELECT DEFAULT_CHARACTER_SET_NAME AS \`charset\`, DEFAULT_COLLATION_NAME AS \`collation\`
         FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`,
      [db],
    );
    if (schema === undefined) throw new Error(`MariaDB database ${db} does not exist`);

    const tableRows = await rows(
      c,
      `SELECT TABLE_NAME AS \`name\`, TABLE_TYPE AS \`type\`, ENGINE AS \`engine\`, TABLE_COLLATION AS \`collation\`,
              CREATE_OPTIONS AS \`createOptions\`, AUTO_INCREMENT AS \`autoIncrement\`, TABLE_COMMENT AS \`comment\`
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
      [db],
    );
    const baseTables = tableRows.filter((t) => t.type === 'BASE TABLE' || t.type === 'SYSTEM VERSIONED');

    const columns = await rows(
      c,
      `SELECT TABLE_NAME AS \`tableName\`, COLUMN_NAME AS \`name\`, ORDINAL_POSITION AS \`position\`, COLUMN_TYPE AS \`type\`,
              IS_NULLABLE AS \`nullable\`, COLUMN_DEFAULT AS \`default\`, CHARACTER_SET_NAME AS \`charset\`,
              COLLATION_NAME AS \`collation\`, EXTRA AS \`extra\`, GENERATION_EXPRESSION AS \`generation\`,
              COLUMN_COMMENT AS \`comment\`
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?`,
      [db],
    );

    const checksums = new Map<string, string | null>();
    if (baseTables.length > 0) {
      const list = baseTables.map((t) => `${ident(db)}.${ident(String(t.name))}`).join(', ');
      for (const r of await rows(c, `CHECKSUM TABLE ${list} EXTENDED`)) {
        // `Table` is "db.table"; the table part may itself contain dots.
        const table = String(r.Table).slice(db.length + 1);
        checksums.set(table, r.Checksum === null ? null : String(r.Checksum));
      }
    }

    const tables: Record<string, TableDescription> = {};
    for (const t of baseTables) {
      const name = String(t.name);
      const [count] = await rows(c, `SELECT COUNT(*) AS \`n\` FROM ${ident(name)}`);
      const { name: _n, ...properties } = t;
      tables[name] = {
        rows: Number(count?.n),
        contentHash: String(checksums.get(name)),
        properties: {
          ...properties,
          autoIncrement: t.autoIncrement === null ? null : String(t.autoIncrement),
        },
        columns: group(
          columns.filter((col) => col.tableName === name),
          (col) => String(col.name),
          ({ tableName: _t, name: _c, ...facts }) => ({ ...facts, position: Number(facts.position) }),
        ),
      };
    }

    return {
      engine: 'mariadb',
      name: db,
      settings: schema as Facts,
      tables,
      objects: {
        views: await withDefinitions(
          c,
          'VIEW',
          await rows(
            c,
            `SELECT TABLE_NAME AS \`name\`, CHECK_OPTION AS \`checkOption\`, IS_UPDATABLE AS \`updatable\`,
                    SECURITY_TYPE AS \`security\`, ALGORITHM AS \`algorithm\`
               FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?`,
            [db],
          ),
        ),
        triggers: await withDefinitions(
          c,
          'TRIGGER',
          await rows(
            c,
            `SELECT TRIGGER_NAME AS \`name\`, EVENT_OBJECT_TABLE AS \`table\`, ACTION_TIMING AS \`timing\`,
                    EVENT_MANIPULATION AS \`event\`, ACTION_ORDER AS \`actionOrder\`, SQL_MODE AS \`sqlMode\`
               FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?`,
            [db],
          ),
        ),
        routines: await routines(c, db),
        events: await withDefinitions(
          c,
          'EVENT',
          await rows(
            c,
            `SELECT EVENT_NAME AS \`name\`, EVENT_TYPE AS \`type\`, EXECUTE_AT AS \`executeAt\`,
                    INTERVAL_VALUE AS \`intervalValue\`, INTERVAL_FIELD AS \`intervalField\`, STARTS AS \`starts\`,
                    ENDS AS \`ends\`, STATUS AS \`status\`, ON_COMPLETION AS \`onCompletion\`, SQL_MODE AS \`sqlMode\`,
                    TIME_ZONE AS \`timeZone\`, EVENT_COMMENT AS \`comment\`
               FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`,
            [db],
          ),
        ),
        indexes: await indexes(c, db),
        constraints: await constraints(c, db),
        sequences: group(
          tableRows.filter((t) => t.type === 'SEQUENCE'),
          (r) => String(r.name),
          () => ({}),
        ),
      },
    };
  });
}

/**
 * Adds each object's definition (md5) from SHOW CREATE, keyed by `name` (routines: `TYPE name`).
 * Not from information_schema: its VIEW_DEFINITION, ACTION_STATEMENT, ROUTINE_DEFINITION and
 * EVENT_DEFINITION are utf8mb3, so a 4-byte character reads as '?' there and a restore that
 * really turned it into '?' would look identical. SHOW CREATE also writes same-database tables
 * unqualified, so the copy's different name does not show. The DEFINER clause is cut out.
 */
async function withDefinitions(
  c: Connection,
  kind: 'VIEW' | 'TRIGGER' | 'EVENT' | 'ROUTINE',
  items: Row[],
): Promise<Record<string, Facts>> {
  const out: Record<string, Facts> = {};
  for (const { name, ...facts } of items) {
    const what = kind === 'ROUTINE' ? String(facts.type) : kind;
    const [shown] = await rows(c, `SHOW CREATE ${what} ${ident(String(name))}`);
    if (shown === undefined) throw new Error(`SHOW CREATE ${what} ${name} returned nothing`);
    const statement = Object.entries(shown).find(
      ([k]) => k.startsWith('Create ') || k === 'SQL Original Statement',
    );
    // NULL when the account may not see the body: hashing that would make every body look equal.
    if (statement === undefined || statement[1] === null)
      throw new Error(`SHOW CREATE ${what} ${name}: no definition`);
    const text = String(statement[1]).replace(/ DEFINER=`(?:[^`]|``)*`@`(?:[^`]|``)*`/, '');
    out[kind === 'ROUTINE' ? `${what} ${name}` : String(name)] = {
      ...facts,
      definitionMd5: md5(text),
      characterSetClient: shown.character_set_client ?? null,
      collationConnection: shown.collation_connection ?? null,
    };
  }
  return out;
}

async function routines(c: Connection, db: string): Promise<Record<string, Facts>> {
  const params = await rows(
    c,
    `SELECT SPECIFIC_NAME AS \`name\`, ROUTINE_TYPE AS \`type\`, PARAMETER_MODE AS \`mode\`, PARAMETER_NAME AS \`param\`,
            DTD_IDENTIFIER AS \`dtd\`
       FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = ? ORDER BY ORDINAL_POSITION`,
    [db],
  );
  const list = await rows(
    c,
    `SELECT ROUTINE_NAME AS \`name\`, ROUTINE_TYPE AS \`type\`, DTD_IDENTIFIER AS \`returns\`,
            IS_DETERMINISTIC AS \`deterministic\`, SQL_DATA_ACCESS AS \`dataAccess\`, SECURITY_TYPE AS \`security\`,
            SQL_MODE AS \`sqlMode\`, ROUTINE_COMMENT AS \`comment\`
       FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`,
    [db],
  );
  return withDefinitions(
    c,
    'ROUTINE',
    list.map((r) => ({
      ...r,
      parameters: params
        .filter((p) => p.name === r.name && p.type === r.type && p.param !== null)
        .map((p) => `${p.mode ?? ''} ${p.param} ${p.dtd}`.trim())
        .join(', '),
    })),
  );
}

async function indexes(c: Connection, db: string): Promise<Record<string, Facts>> {
  const parts = await rows(
    c,
    `SELECT TABLE_NAME AS \`tableName\`, INDEX_NAME AS \`name\`, NON_UNIQUE AS \`nonUnique\`, INDEX_TYPE AS \`type\`,
            COLUMN_NAME AS \`columnName\`, SUB_PART AS \`subPart\`, COLLATION AS \`direction\`, INDEX_COMMENT AS \`comment\`,
            IGNORED AS \`ignored\`
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?
      ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [db],
  );
  const out: Record<string, Facts> = {};
  for (const p of parts) {
    const key = `${p.tableName}.${p.name}`;
    const column = `${p.columnName}${p.subPart === null ? '' : `(${p.subPart})`}${p.direction === 'D' ? ' DESC' : ''}`;
    const existing = out[key];
    if (existing === undefined) {
      out[key] = {
        unique: Number(p.nonUnique) === 0,
        ...pick(p, 'type', 'comment', 'ignored'),
        columns: column,
      };
    } else {
      existing.columns = `${existing.columns}, ${column}`;
    }
  }
  return out;
}

async function constraints(c: Connection, db: string): Promise<Record<string, Facts>> {
  const out: Record<string, Facts> = {};
  // Two queries joined here: joined in SQL, MariaDB reads REFERENTIAL_CONSTRAINTS of every
  // database on the server (EXPLAIN: "Scanned all databases"), which is slow and once crashed it.
  const rules = new Map(
    (
      await rows(
        c,
        `SELECT TABLE_NAME AS \`tableName\`, CONSTRAINT_NAME AS \`name\`, UPDATE_RULE AS \`onUpdate\`,
                DELETE_RULE AS \`onDelete\`
           FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`,
        [db],
      )
    ).map((r) => [`${r.tableName}.${r.name}`, r]),
  );
  const foreignKeys = (
    await rows(
      c,
      `SELECT TABLE_NAME AS \`tableName\`, CONSTRAINT_NAME AS \`name\`, COLUMN_NAME AS \`columnName\`,
              REFERENCED_TABLE_SCHEMA AS \`refSchema\`, REFERENCED_TABLE_NAME AS \`refTable\`,
              REFERENCED_COLUMN_NAME AS \`refColumn\`
         FROM information_schema.KEY_COLUMN_USAGE
        WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
      [db],
    )
  ).flatMap((k): Row[] => {
    const rule = rules.get(`${k.tableName}.${k.name}`);
    return rule ? [{ ...k, onUpdate: rule.onUpdate ?? null, onDelete: rule.onDelete ?? null }] : [];
  });
  for (const f of foreignKeys) {
    const key = `${f.tableName}.${f.name}`;
    // A reference into the same database is written without it: the copy has another name.
    const target = f.refSchema === db ? String(f.refTable) : `${f.refSchema}.${f.refTable}`;
    const existing = out[key];
    if (existing === undefined) {
      out[key] = {
        type: 'FOREIGN KEY',
        columns: String(f.columnName),
        references: `${target}(${f.refColumn})`,
        ...pick(f, 'onUpdate', 'onDelete'),
      };
    } else {
      existing.columns = `${existing.columns}, ${f.columnName}`;
      existing.references = String(existing.references).replace(/\)$/, `, ${f.refColumn})`);
    }
  }
  const checks = await rows(
    c,
    `SELECT TABLE_NAME AS \`tableName\`, CONSTRAINT_NAME AS \`name\`, LEVEL AS \`level\`, CHECK_CLAUSE AS \`clause\`
       FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`,
    [db],
  );
  for (const k of checks) {
    out[`${k.tableName}.${k.name}`] = { type: 'CHECK', ...pick(k, 'level', 'clause') };
  }
  return out;
}
