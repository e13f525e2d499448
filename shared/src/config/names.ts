/** Names that end up in storage keys, URLs and file names: validated once, here. */

/** Targets, storages and test servers: short, lower-case, safe in paths and URLs. */
export const resourceNamePattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** `resourceNamePattern` in words, for the errors that refuse a name. */
export const resourceNameRule =
  'must be lower-case letters, digits, _ or - (at most 63, starting with a letter or digit)';

/**
 * Database names that Port-Yard backs up or restores into. MariaDB allows almost anything in
 * quoted identifiers; we accept letters (any script), digits, `_`, `$` and `-`, at most 63
 * characters, which covers real-world names and keeps storage keys and argv safe.
 */
export const databaseNamePattern = /^[\p{L}\p{N}_$][\p{L}\p{N}_$-]{0,62}$/u;

/** `databaseNamePattern` in words, for the errors that refuse a name. */
export const databaseNameRule =
  'must be letters, digits, _, $ or - (at most 63 characters, not starting with -)';

export function isDatabaseName(name: string): boolean {
  return databaseNamePattern.test(name);
}
