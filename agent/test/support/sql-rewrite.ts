/**
 * The few edits that make a third-party fixture load into a uniquely named database instead of
 * the name it hard-codes (`sakila`, `Chinook`, `chinook`). Loading into the hard-coded name would
 * clash between parallel tests and could drop a database somebody else owns on a shared server.
 *
 * Every rule says how many times it must apply. A different count means the fixture is not the
 * file these rules were written for: loading stops instead of guessing. Rewritten lines stay one
 * line each, so line numbers in client errors still point into the original fixture file.
 */
export type SqlRewriteRule =
  | {
      /** A whole line (trailing `\r` ignored) that is replaced as a unit. */
      readonly line: string;
      readonly replacement: string;
      readonly times: number;
      readonly why: string;
    }
  | {
      /** A pattern replaced inside lines; must have the `g` flag. */
      readonly pattern: RegExp;
      readonly replacement: string;
      readonly times: number;
      readonly why: string;
    };

/** A line that stays a comment in both the `mariadb` client and psql. */
export function commentedOut(why: string): string {
  return `-- port-yard test loader: ${why}`;
}

export function rewriteSql(sql: string, rules: readonly SqlRewriteRule[], fileLabel: string): string {
  if (rules.length === 0) return sql;
  const counts = rules.map(() => 0);
  const lines = sql.split('\n').map((original) => {
    let line = original;
    rules.forEach((rule, i) => {
      if ('line' in rule) {
        if (line.replace(/\r$/, '') === rule.line) {
          counts[i] = (counts[i] ?? 0) + 1;
          line = rule.replacement;
        }
      } else {
        line = line.replace(rule.pattern, () => {
          counts[i] = (counts[i] ?? 0) + 1;
          return rule.replacement;
        });
      }
    });
    return line;
  });
  rules.forEach((rule, i) => {
    if (counts[i] !== rule.times) {
      const what = 'line' in rule ? JSON.stringify(rule.line) : String(rule.pattern);
      throw new Error(
        `${fileLabel}: rewrite ${what} (${rule.why}) matched ${counts[i]} time(s), expected ${rule.times}; ` +
          'the fixture is not the file the loader was written for',
      );
    }
  });
  return lines.join('\n');
}
