import { createHash } from 'node:crypto';

/**
 * The `mysql_native_password` hash of a password: `*` and the upper-case hex of
 * SHA1(SHA1(password)), what MariaDB's `PASSWORD()` returns. `CREATE USER ... IDENTIFIED BY
 * PASSWORD '<hash>'` stores it as is, so the plain password never travels in SQL text.
 */
export function mysqlNativePasswordHash(password: string): string {
  const inner = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}
