/**
 * The few SQL fragments in which MariaDB and PostgreSQL differ, so `bench-rows.ts` can describe the
 * generated rows once. Every row source yields `id` and three 16-byte md5 hashes of it, `h1`..`h3`;
 * `byte(k)` (k = 0..47) reads one of those 48 pseudo-random bytes as an integer 0..255.
 */
export interface SqlDialect {
  /** `FROM` items yielding `id`, `h1`, `h2`, `h3` for ids `from..to` (hashes computed once per row). */
  rowSource(from: number, to: number): string;
  /** The pseudo-random byte `k` (0..47) of the current row, 0..255. */
  byte(k: number): string;
  /** Word number `index` (an integer SQL expression 0..255) of `words`. */
  word(index: string): string;
  /** `list[index % list.length]`. */
  pick(list: readonly string[], index: string): string;
  /** The 32 lowercase hex digits of hash `which`. */
  hex(which: 1 | 2 | 3): string;
  /** String concatenation; the parts must not be NULL (numbers are converted). */
  concat(parts: readonly string[]): string;
  /** Parts joined by single spaces, NULL parts skipped. */
  joinWords(parts: readonly string[]): string;
  /** A timestamp `seconds` (SQL expression) after 2021-01-01 00:00:00. */
  timestamp(seconds: string): string;
  /** Binary value: the bytes of a hex-string SQL expression, then raw hashes, then text as bytes. */
  blob(prefixHex: string, hashes: readonly (1 | 2 | 3)[], text: string): string;
  /** Column types. */
  readonly types: {
    readonly id: string;
    readonly int: string;
    readonly smallint: string;
    readonly money: string;
    readonly datetime: string;
    readonly datetimeMs: string;
    readonly text: string;
    readonly blob: string;
  };
  /** Suffix of CREATE TABLE (e.g. the engine and charset). */
  readonly tableOptions: string;
}
