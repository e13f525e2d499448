import type mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { routineAccessProblem } from './mysql-routine-access.ts';

/** The grant parsing and the failure paths; the real server's answer is in test/backup-routines-privilege.test.ts. */
function server(answers: { proc: boolean; grants: string[] | Error }): mysql.Connection {
  return {
    query: async (sql: string) => {
      if (sql.includes('mysql.proc')) {
        if (answers.proc) return [[{ 1: 1 }], []];
        throw new Error("SELECT command denied to user 'dumper'@'%' for table `mysql`.`proc`");
      }
      if (answers.grants instanceof Error) throw answers.grants;
      return [answers.grants.map((grant) => ({ 'Grants for dumper@%': grant })), []];
    },
  } as unknown as mysql.Connection;
}

describe('routineAccessProblem', () => {
  it('is satisfied by SELECT on mysql.proc, a global SELECT, ALL, SHOW CREATE ROUTINE or SHOW_ROUTINE', async () => {
    expect(await routineAccessProblem(server({ proc: true, grants: [] }))).toBeUndefined();
    for (const grant of [
      'GRANT SELECT, LOCK TABLES ON *.* TO `dumper`@`%`',
      'GRANT ALL PRIVILEGES ON *.* TO `dumper`@`%`',
      'GRANT SHOW CREATE ROUTINE ON *.* TO `dumper`@`%`',
      'GRANT RELOAD, SHOW_ROUTINE ON *.* TO `dumper`@`%`',
    ])
      expect(await routineAccessProblem(server({ proc: false, grants: [grant] }))).toBeUndefined();
  });

  it('reports the usual dump grants on one database as not enough', async () => {
    const problem = await routineAccessProblem(
      server({
        proc: false,
        grants: [
          'GRANT USAGE ON *.* TO `dumper`@`%`',
          'GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON `shop`.* TO `dumper`@`%`',
        ],
      }),
    );
    expect(problem).toMatch(/^stored procedures and functions are not in this backup/);
  });

  it('reports nothing when the grants cannot be read: the check must not fail the backup', async () => {
    expect(
      await routineAccessProblem(server({ proc: false, grants: new Error('SHOW GRANTS failed') })),
    ).toBeUndefined();
  });
});
