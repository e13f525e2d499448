/**
 * A `SHOW GRANTS` line with every quoted name (`` `db` ``, `'user'@'host'`) blanked out: a
 * database named `` x ON *.* TO y `` must not read as a global grant.
 */
export function grantShape(grant: string): string {
  return grant.replace(/`(?:[^`]|``)*`/g, '`_`').replace(/'(?:[^'\\]|\\.|'')*'/g, "'_'");
}
