/** One comparable fact: what a catalog query returns, JSON-safe. */
export type Fact = string | number | boolean | null;
export type Facts = Record<string, Fact>;

/** A row as a catalog query returns it. */
export type Row = Record<string, Fact>;

/** The named columns of a row as facts; a column the row lacks becomes null, never undefined. */
export function pick(row: Row, ...keys: string[]): Facts {
  return Object.fromEntries(keys.map((k) => [k, row[k] ?? null]));
}
