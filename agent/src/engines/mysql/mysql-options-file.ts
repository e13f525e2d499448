import type { ConnectionSettings } from '../engine.ts';

/**
 * The `[client]` option file that mariadb-dump / mysqldump / mariadb read through
 * `--defaults-extra-file`, so the password never appears on a command line.
 * `mysqlTlsModes` says whether the tool speaks MySQL 8's `ssl-mode` or MariaDB's `ssl` flags.
 */
export function mysqlOptionsFile(connection: ConnectionSettings, mysqlTlsModes: boolean): string {
  const lines = ['[client]', `user=${quote(connection.user)}`];
  if (connection.password !== undefined) lines.push(`password=${quote(connection.password)}`);
  if (connection.socket) {
    lines.push(`socket=${quote(connection.socket)}`, 'protocol=SOCKET');
  } else {
    lines.push(
      `host=${quote(connection.host ?? '127.0.0.1')}`,
      `port=${connection.port ?? 3306}`,
      'protocol=TCP',
    );
  }
  lines.push(...tlsLines(connection, mysqlTlsModes));
  return `${lines.join('\n')}\n`;
}

function tlsLines(connection: ConnectionSettings, mysqlTlsModes: boolean): string[] {
  const tls = connection.tls;
  if (!tls) return [];
  const files = [
    ...(tls.ca ? [`ssl-ca=${quote(tls.ca)}`] : []),
    ...(tls.cert ? [`ssl-cert=${quote(tls.cert)}`] : []),
    ...(tls.key ? [`ssl-key=${quote(tls.key)}`] : []),
  ];
  if (mysqlTlsModes) {
    const modes = {
      disable: 'DISABLED',
      prefer: 'PREFERRED',
      require: 'REQUIRED',
      'verify-ca': 'VERIFY_CA',
      'verify-full': 'VERIFY_IDENTITY',
    };
    return [`ssl-mode=${modes[tls.mode]}`, ...files];
  }
  switch (tls.mode) {
    case 'disable':
      return ['skip-ssl'];
    case 'prefer':
      return files;
    case 'require':
      return ['ssl', ...files];
    default:
      return ['ssl', 'ssl-verify-server-cert', ...files];
  }
}

/** Option-file values in double quotes, with `\` and `"` escaped; newlines are not allowed. */
function quote(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('option values must not contain line breaks');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
