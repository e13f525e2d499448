import type pg from 'pg';

const notSystem = (alias: string): string =>
  `NOT (${alias}.nspname LIKE 'pg\\_%' OR ${alias}.nspname = 'information_schema')`;
/** Objects that belong to an extension keep their owner (the extension's). */
const notInExtension = (catalog: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

/**
 * The statements that give a sandbox database to its role, run inside it as the admin user after
 * the restore (which made the admin the owner of everything, `--no-owner`):
 * - ownership of every schema, table, view, materialized view, foreign table, sequence (those
 *   owned by a column follow their table), function, procedure, aggregate, domain, enum, range and
 *   composite type the admin owns outside the system schemas and extensions;
 * - then, as a safety net for objects some other role owns (a plain-format dump's `OWNER TO`),
 *   USAGE and CREATE on every schema, ALL on its tables and sequences, EXECUTE on its routines.
 */
export async function postgresOwnershipStatements(client: pg.Client, role: string): Promise<string[]> {
  const { rows } = await client.query<{ sql: string }>(
    `WITH me AS (SELECT oid FROM pg_roles WHERE rolname = current_user)
     SELECT sql FROM (
       SELECT 1 AS step, format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $1::text) AS sql
       FROM pg_namespace n, me
       WHERE n.nspowner = me.oid AND ${notSystem('n')} AND ${notInExtension('pg_namespace', 'n.oid')}
       UNION ALL
       SELECT 2, format('ALTER %s %I.%I OWNER TO %I',
                CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                  WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                n.nspname, c.relname, $1::text)
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, me
       WHERE c.relowner = me.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND ${notSystem('n')}
         AND ${notInExtension('pg_class', 'c.oid')}
         AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
               AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
       UNION ALL
       SELECT 3, format('ALTER %s %s OWNER TO %I',
                CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
                p.oid::regprocedure, $1::text)
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, me
       WHERE p.proowner = me.oid AND ${notSystem('n')} AND ${notInExtension('pg_proc', 'p.oid')}
       UNION ALL
       SELECT 4, format('ALTER %s %I.%I OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
                n.nspname, t.typname, $1::text)
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace, me
       WHERE t.typowner = me.oid AND ${notSystem('n')} AND ${notInExtension('pg_type', 't.oid')}
         AND (t.typtype IN ('d', 'e', 'r')
              OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
       UNION ALL
       SELECT 5, format('GRANT USAGE, CREATE ON SCHEMA %1$I TO %2$I; GRANT ALL ON ALL TABLES IN SCHEMA %1$I TO %2$I; '
                || 'GRANT ALL ON ALL SEQUENCES IN SCHEMA %1$I TO %2$I; GRANT EXECUTE ON ALL ROUTINES IN SCHEMA %1$I TO %2$I',
                n.nspname, $1::text)
       FROM pg_namespace n WHERE ${notSystem('n')}
     ) AS statements ORDER BY step`,
    [role],
  );
  return rows.map((row) => row.sql);
}
