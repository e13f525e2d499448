/** Names that end up in storage keys, URLs and file names: validated once, here. */

/** Targets, storages and test servers: short, lower-case, safe in paths and URLs. */
export const resourceNamePattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** `resourceNamePattern` in words, for the errors that refuse a name. */
export const resourceNameRule =
  'must be lower-case letters, digits, _ or - (at most 63, starting with a letter or digit)';

/**
 * Database names that Port-Yard backs up or restores into: what the servers allow in quoted
 * identifiers (every SQL statement quotes them, tools get them as one argument), minus what a
 * storage key, a file name or a command line cannot carry: no control characters, lone UTF-16
 * surrogates, `/` or `\`, no leading `-` (a tool would read an option), `.` (a hidden folder) or
 * space, no `‛` (U+201B, which rclone writes as its quote character and lists back changed), and
 * no ending `.port-yard-tmp` (the storages' temporary files). At most 64 characters (MariaDB's
 * limit); PostgreSQL's is 63 bytes, see `databaseNameProblem`.
 */
export const databaseNamePattern = /^(?![-.\s])(?!.*\.port-yard-tmp$)[^\p{Cc}\p{Cs}/\\\u201b]{1,64}$/u;

/** `databaseNamePattern` in words, for the errors that refuse a name. */
export const databaseNameRule =
  'must be 1-64 characters without control characters, /, \\ or ‛, not starting with -, . or a space, nor ending in .port-yard-tmp';

export function isDatabaseName(name: string): boolean {
  return databaseNamePattern.test(name);
}

/** PostgreSQL cuts longer names to their first 63 bytes: to another database's name, maybe. */
const postgresNameBytes = 63;

/**
 * What is wrong with `name` as a database of `engine`, or undefined: the rule above,
 * PostgreSQL's limit in bytes (a name of 40 accented letters is 80 bytes), and what MariaDB and
 * MySQL refuse in a name: a space at its end, a character beyond U+FFFF (an emoji).
 */
export function databaseNameProblem(name: string, engine: string): string | undefined {
  if (!isDatabaseName(name)) return databaseNameRule;
  const bytes = new TextEncoder().encode(name).length;
  if (engine === 'postgres' && bytes > postgresNameBytes)
    return `must be at most ${postgresNameBytes} bytes for PostgreSQL, which would cut this ${bytes}-byte name to another one`;
  if (engine !== 'postgres' && name.endsWith(' '))
    return 'must not end in a space for MariaDB and MySQL, which refuse such a name';
  if (engine !== 'postgres' && [...name].some((character) => character.length > 1))
    return 'must not hold characters beyond U+FFFF (such as emoji) for MariaDB and MySQL, which refuse them in names';
  return undefined;
}
