import type pg from 'pg';
import type { DatabaseDescription, TableDescription } from './database-fingerprint.ts';
import { pick } from './facts.ts';
import type { Facts, Row } from './facts.ts';
import { withPostgres } from './servers.ts';
import type { ServerSettings } from './servers.ts';

/**
 * PostgreSQL side of describeDatabase: every schema except the system ones, minus objects that
 * belong to an extension (the extension is listed with its version instead). Owners and grants
 * are left out: a restore into another server or by another role legitimately changes them.
 */

/** Objects in these schemas are the server's, not the database's. */
const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;
const NOT_EXTENSION_MEMBER = (oid: string, catalog: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

async function rows(c: pg.Client, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await c.query(sql, params)).rows as Row[];
}

function byKey(items: Row[], key: (r: Row) => string, facts: (r: Row) => Facts): Record<string, Facts> {
  return Object.fromEntries(items.map((r) => [key(r), facts(r)]));
}

const qualified = (schema: unknown, name: unknown) =>
  `"${String(schema).replace(/"/g, '""')}"."${String(name).replace(/"/g, '""')}"`;

/**
 * Row count and content hash of one relation. md5 per row, then md5 of the sorted row hashes:
 * the order of rows on disk does not matter, and the aggregate stays 32 bytes a row instead of
 * the whole table in one string (which hits the 1 GB text limit on big tables).
 */
async function hashRows(
  c: pg.Client,
  schema: unknown,
  name: unknown,
): Promise<{ rows: number; hash: string }> {
  const [r] = await rows(
    c,
    `SELECT count(*)::text AS n,
            md5(coalesce(string_agg(h, '' ORDER BY h), '')) AS hash
       FROM (SELECT md5(__py_row::text) AS h FROM ONLY ${qualified(schema, name)} AS __py_row) AS rows`,
  );
  return { rows: Number(r?.n), hash: String(r?.hash) };
}

export async function describePostgres(server: ServerSettings, db: string): Promise<DatabaseDescription> {
  return withPostgres(server, db, async (c) => {
    // Row text and catalog definitions depend on these settings: pin them, like pg_dump does.
    // An empty search_path makes every definition schema-qualified the same way on both sides.
    await c.query(`SET search_path = ''; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY';
      SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex';
      SET lc_monetary = 'C'`);

    const [settings] = await rows(
      c,
      `SELECT pg_encoding_to_char(encoding) AS encoding, datcollate AS collate, datctype AS ctype
         FROM pg_database WHERE datname = current_database()`,
    );

    const relations = await rows(
      c,
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind, c.relpersistence AS persistence,
              c.relispopulated AS populated, pg_get_expr(c.relpartbound, c.oid) AS "partitionBound",
              pg_get_partkeydef(c.oid) AS "partitionKey", c.relrowsecurity AS "rowSecurity",
              obj_description(c.oid, 'pg_class') AS comment,
              (SELECT string_agg(pn.nspname || '.' || p.relname, ', ' ORDER BY i.inhseqno)
                 FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                 JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid) AS parents,
              CASE WHEN c.relkind IN ('v', 'm') THEN md5(pg_get_viewdef(c.oid)) END AS "definitionMd5",
              array_to_string(c.reloptions, ',') AS options
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm') AND ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}
        ORDER BY 1, 2`,
    );

    const columns = await rows(
      c,
      `SELECT table_schema, table_name, column_name, ordinal_position AS position, data_type AS "dataType",
              udt_schema || '.' || udt_name AS udt, is_nullable AS nullable, column_default AS "default",
              collation_name AS collation, is_identity AS identity, identity_generation AS "identityGeneration",
              is_generated AS generated, generation_expression AS "generationExpression"
         FROM information_schema.columns
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );

    const tables: Record<string, TableDescription> = {};
    const matviews: Record<string, Facts> = {};
    const views: Record<string, Facts> = {};
    for (const r of relations) {
      const key = `${r.schema}.${r.name}`;
      if (r.kind === 'v') {
        views[key] = pick(r, 'definitionMd5', 'options');
      } else if (r.kind === 'm') {
        // An unpopulated materialized view cannot be read; its state is part of what a restore keeps.
        const content = r.populated ? await hashRows(c, r.schema, r.name) : { rows: null, hash: null };
        matviews[key] = { ...pick(r, 'definitionMd5', 'populated'), ...content };
      } else {
        const { rows: count, hash } = await hashRows(c, r.schema, r.name);
        tables[key] = {
          rows: count,
          contentHash: hash,
          properties: {
            kind: r.kind === 'p' ? 'partitioned table' : 'table',
            ...pick(
              r,
              'persistence',
              'partitionBound',
              'partitionKey',
              'parents',
              'rowSecurity',
              'comment',
              'options',
            ),
          },
          columns: byKey(
            columns.filter((col) => col.table_schema === r.schema && col.table_name === r.name),
            (col) => String(col.column_name),
            ({ table_schema: _s, table_name: _t, column_name: _c, ...facts }) => facts,
          ),
        };
      }
    }

    return {
      engine: 'postgres',
      name: db,
      settings: settings ?? {},
      tables,
      objects: {
        schemas: byKey(
          await rows(
            c,
            `SELECT n.nspname AS name, obj_description(n.oid, 'pg_namespace') AS comment
               FROM pg_namespace n WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('n.oid', 'pg_namespace')}`,
          ),
          (r) => String(r.name),
          (r) => pick(r, 'comment'),
        ),
        views,
        matviews,
        triggers: byKey(
          await rows(
            c,
            `SELECT n.nspname AS schema, c.relname AS "table", t.tgname AS name,
                    pg_get_triggerdef(t.oid) AS definition, t.tgenabled AS enabled
               FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE NOT t.tgisinternal AND ${USER_SCHEMA}`,
          ),
          (r) => `${r.schema}.${r.table}.${r.name}`,
          (r) => pick(r, 'definition', 'enabled'),
        ),
        functions: await functions(c),
        sequences: await sequences(c),
        types: await types(c),
        indexes: byKey(
          await rows(
            c,
            `SELECT n.nspname AS schema, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition,
                    i.indisclustered AS clustered
               FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
               JOIN pg_namespace n ON n.oid = ic.relnamespace
              WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('i.indrelid', 'pg_class')}`,
          ),
          (r) => `${r.schema}.${r.name}`,
          (r) => pick(r, 'definition', 'clustered'),
        ),
        constraints: byKey(
          await rows(
            c,
            `SELECT n.nspname AS schema, c.relname AS "table", k.conname AS name, k.contype AS type,
                    pg_get_constraintdef(k.oid) AS definition
               FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}`,
          ),
          (r) => `${r.schema}.${r.table}.${r.name}`,
          (r) => pick(r, 'type', 'definition'),
        ),
        rules: byKey(
          await rows(
            c,
            `SELECT schemaname AS schema, tablename AS "table", rulename AS name, md5(definition) AS "definitionMd5"
               FROM pg_rules WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
          ),
          (r) => `${r.schema}.${r.table}.${r.name}`,
          (r) => pick(r, 'definitionMd5'),
        ),
        extensions: byKey(
          await rows(
            c,
            `SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
               FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace`,
          ),
          (r) => String(r.name),
          (r) => pick(r, 'version', 'schema'),
        ),
      },
    };
  });
}

/** Functions, procedures and aggregates, keyed by signature so overloads stay apart. */
async function functions(c: pg.Client): Promise<Record<string, Facts>> {
  return byKey(
    await rows(
      c,
      `SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args,
              p.prokind AS kind, l.lanname AS language, pg_get_function_result(p.oid) AS result,
              md5(coalesce(p.prosrc, '') || '|' || coalesce(p.probin, '')) AS "bodyMd5",
              p.provolatile AS volatility, p.proisstrict AS strict, p.prosecdef AS "securityDefiner",
              array_to_string(p.proconfig, ',') AS config,
              (SELECT a.aggtransfn::text || ' ' || format_type(a.aggtranstype, NULL) || ' ' ||
                      a.aggfinalfn::text || ' ' || coalesce(a.agginitval, '')
                 FROM pg_aggregate a WHERE a.aggfnoid = p.oid) AS aggregate
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
        WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('p.oid', 'pg_proc')}`,
    ),
    (r) => `${r.schema}.${r.name}(${r.args})`,
    ({ schema: _s, name: _n, args: _a, ...facts }) => facts,
  );
}

/** Sequences with their current state: a restore that forgets setval() hands out used ids. */
async function sequences(c: pg.Client): Promise<Record<string, Facts>> {
  const list = await rows(
    c,
    `SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type,
            s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min,
            s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle
       FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('c.oid', 'pg_class')}`,
  );
  const out: Record<string, Facts> = {};
  for (const s of list) {
    const [state] = await rows(
      c,
      `SELECT last_value::text AS "lastValue", is_called AS "isCalled" FROM ${qualified(s.schema, s.name)}`,
    );
    const { schema, name, ...facts } = s;
    out[`${schema}.${name}`] = { ...facts, ...state };
  }
  return out;
}

/** Enums (labels in order), domains (base type and constraints), standalone composites, ranges. */
async function types(c: pg.Client): Promise<Record<string, Facts>> {
  return byKey(
    await rows(
      c,
      `SELECT n.nspname AS schema, t.typname AS name, t.typtype AS kind,
              CASE t.typtype
                WHEN 'e' THEN (SELECT string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)
                                 FROM pg_enum e WHERE e.enumtypid = t.oid)
                WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
                              || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                              || coalesce(' DEFAULT ' || t.typdefault, '')
                              || coalesce((SELECT string_agg(' CONSTRAINT ' || k.conname || ' ' || pg_get_constraintdef(k.oid), '' ORDER BY k.conname)
                                             FROM pg_constraint k WHERE k.contypid = t.oid), '')
                WHEN 'c' THEN (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                 FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
                WHEN 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid)
              END AS definition
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype IN ('e', 'd', 'c', 'r') AND ${USER_SCHEMA}
          AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
          AND ${NOT_EXTENSION_MEMBER('t.oid', 'pg_type')}`,
    ),
    (r) => `${r.schema}.${r.name}`,
    (r) => pick(r, 'kind', 'definition'),
  );
}
