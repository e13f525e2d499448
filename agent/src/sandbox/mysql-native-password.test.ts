import { describe, expect, it } from 'vitest';
import { mariadbExec } from '../../test/harness/sql.ts';
import { mysqlNativePasswordHash } from './mysql-native-password.ts';
import { newSandboxPassword } from './sandbox-names.ts';

describe('mysqlNativePasswordHash', () => {
  it('is the well-known hash of "password"', () => {
    expect(mysqlNativePasswordHash('password')).toBe('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  });

  it("equals the local MariaDB's PASSWORD() (generated passwords, spaces, non-ASCII)", async () => {
    for (const password of [
      newSandboxPassword(),
      newSandboxPassword(),
      "with spaces, 'quotes' and ünïcode",
    ]) {
      const [row] = (await mariadbExec(`SELECT PASSWORD('${password.replace(/'/g, "''")}') AS hash`)) as {
        hash: string;
      }[];
      expect(mysqlNativePasswordHash(password)).toBe(row!.hash);
    }
  });
});
