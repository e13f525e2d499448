import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/main.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';
import { localMariadb } from '../harness/temp-agent.ts';

/**
 * A rebuilt MariaDB server lacks the accounts a dump's views, routines and triggers run as: the
 * server takes them without a word, and each fails when used. The restore said "restored" and
 * nothing else; now it names the accounts to create.
 */
const source = uniqueName('py_t_rmd');
const copy = uniqueName('py_t_rmd_copy');
const account = uniqueName('py_t_rmd_u');
let dir: string;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-rmd-'));
  await mariadbExec(`CREATE USER '${account}'@'%'`);
  await mariadbExec(`CREATE DATABASE ${source}`);
  await mariadbExec(`GRANT SELECT ON ${source}.* TO '${account}'@'%'`);
  await mariadbExec(
    `CREATE TABLE t (v INT); INSERT INTO t VALUES (1); CREATE DEFINER='${account}'@'%' SQL SECURITY DEFINER VIEW v AS SELECT v FROM t`,
    source,
  );
  agent = createAgent(
    configSchema.parse({
      version: 1,
      storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
      targets: { my: { ...localMariadb, databases: [source], destinations: ['local'] } },
    }),
  );
});

afterAll(async () => {
  for (const name of [source, copy]) await mariadbExec(`DROP DATABASE IF EXISTS ${name}`);
  await mariadbExec(`DROP USER IF EXISTS '${account}'@'%'`);
  await agent?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a MariaDB restore onto a server without the dump's definers", () => {
  it('restores, and warns naming the missing account', async () => {
    const { artifacts } = await agent.backup({ targetName: 'my' });
    const present = await agent.restore({ artifactId: artifacts[0]!.id, toDatabase: copy });
    expect(present.warnings.join('\n')).not.toContain('definer');
    await mariadbExec(`DROP DATABASE ${copy}`);
    await mariadbExec(`DROP USER '${account}'@'%'`);
    const result = await agent.restore({ artifactId: artifacts[0]!.id, toDatabase: copy });
    expect(result.warnings).toContainEqual(
      expect.stringContaining(`run as '${account}'@'%', which this server lacks`),
    );
    await expect(mariadbExec('SELECT * FROM v', copy)).rejects.toThrow(/definer/);
  });
});
