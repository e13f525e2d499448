import { describeMariadb } from './fingerprint-mariadb.ts';
import { describePostgres } from './fingerprint-postgres.ts';
import { defaultServer } from './servers.ts';
import type { Engine, ServerSettings } from './servers.ts';
import type { Facts } from './facts.ts';

export type { Facts } from './facts.ts';

/**
 * A comparable description of one database: if two databases have equal descriptions, the
 * restore that produced one from the other lost nothing the tests can see. Plain JSON, so a
 * failing test can print or snapshot it. Nothing in it mentions the database's own name: the
 * original and its restored copy always have different names.
 */
export interface DatabaseDescription {
  readonly engine: Engine;
  /** The database described; used in messages, never compared. */
  readonly name: string;
  /** Database-level defaults (MariaDB charset/collation; PostgreSQL encoding/locale). */
  readonly settings: Facts;
  /** Table name (MariaDB) or `schema.table` (PostgreSQL) → its facts. */
  readonly tables: Record<string, TableDescription>;
  /**
   * Object kind → object name → facts. Kinds: MariaDB views, triggers, routines, events, indexes,
   * constraints, sequences; PostgreSQL schemas, views, matviews, triggers, functions, sequences,
   * types, indexes, constraints, rules, extensions. The count of a kind is its number of names.
   */
  readonly objects: Record<string, Record<string, Facts>>;
}

export interface TableDescription {
  readonly rows: number;
  /**
   * MariaDB: `CHECKSUM TABLE … EXTENDED`. PostgreSQL: md5 over the sorted md5s of each row's text
   * (`FROM ONLY`, so a partitioned or inherited parent is hashed without its children; every leaf
   * is a table of its own here).
   */
  readonly contentHash: string;
  /** Engine, collation, auto_increment, partition bounds, inheritance, comment... */
  readonly properties: Facts;
  /** Column name → position, type, nullability, default, charset/collation, extra... */
  readonly columns: Record<string, Facts>;
}

export async function describeDatabase(
  engine: Engine,
  name: string,
  server: ServerSettings = defaultServer(engine),
): Promise<DatabaseDescription> {
  return engine === 'mariadb' ? describeMariadb(server, name) : describePostgres(server, name);
}

export function rowCounts(description: DatabaseDescription): Record<string, number> {
  return Object.fromEntries(Object.entries(description.tables).map(([table, t]) => [table, t.rows]));
}

export function objectCounts(description: DatabaseDescription): Record<string, number> {
  return Object.fromEntries(
    Object.entries(description.objects).map(([kind, o]) => [kind, Object.keys(o).length]),
  );
}

export interface CompareOptions {
  /**
   * Paths to leave out, as segments with `*` for any one segment, e.g.
   * `[['objects', 'events'], ['tables', '*', 'properties', 'autoIncrement']]`. Arrays, not dotted
   * strings, because PostgreSQL keys (`public.actor`) contain dots.
   */
  readonly ignore?: readonly (readonly string[])[];
}

type Node = string | number | boolean | null | { readonly [key: string]: Node };

/**
 * Human-readable differences between two descriptions; empty when they are equal. A kind or map
 * whose names differ gets a count line first ("objects › views: 7 in a, 6 in b"), then one line
 * per missing name, then one line per differing fact.
 */
export function compareDatabases(
  a: DatabaseDescription,
  b: DatabaseDescription,
  options: CompareOptions = {},
): string[] {
  const [labelA, labelB] = a.name === b.name ? ['a', 'b'] : [a.name, b.name];
  const ignore = options.ignore ?? [];
  const ignored = (path: readonly string[]) =>
    ignore.some(
      (pattern) => pattern.length <= path.length && pattern.every((p, i) => p === '*' || p === path[i]),
    );
  const out: string[] = [];
  const show = (v: Node) => (typeof v === 'object' && v !== null ? '{…}' : JSON.stringify(v));

  const walk = (x: Node, y: Node, path: string[]): void => {
    if (ignored(path)) return;
    const where = path.join(' › ');
    const isMap = (v: Node): v is { readonly [key: string]: Node } => typeof v === 'object' && v !== null;
    if (isMap(x) && isMap(y)) {
      const xKeys = Object.keys(x).sort();
      const yKeys = Object.keys(y).sort();
      const onlyX = xKeys.filter((k) => !(k in y) && !ignored([...path, k]));
      const onlyY = yKeys.filter((k) => !(k in x) && !ignored([...path, k]));
      if (onlyX.length > 0 || onlyY.length > 0) {
        out.push(`${where}: ${xKeys.length} in ${labelA}, ${yKeys.length} in ${labelB}`);
      }
      for (const k of onlyX) out.push(`${where} › ${k}: only in ${labelA}`);
      for (const k of onlyY) out.push(`${where} › ${k}: only in ${labelB}`);
      for (const k of xKeys) if (k in y) walk(x[k] as Node, y[k] as Node, [...path, k]);
    } else if (x !== y) {
      out.push(`${where}: ${show(x)} in ${labelA}, ${show(y)} in ${labelB}`);
    }
  };

  if (a.engine !== b.engine) return [`engine: ${a.engine} in ${labelA}, ${b.engine} in ${labelB}`];
  walk(
    { settings: a.settings, tables: a.tables, objects: a.objects } as unknown as Node,
    { settings: b.settings, tables: b.tables, objects: b.objects } as unknown as Node,
    [],
  );
  return out;
}
