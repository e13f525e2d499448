import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incompleteLabel, targetSchema } from '@port-yard/shared';
import { backupTarget } from '../src/backup/backup-target.ts';
import { createEngineRegistry, engineFor } from '../src/engines/engine-registry.ts';
import type { Engine } from '../src/engines/engine.ts';
import { createFilesystemStorage } from '../src/storage/filesystem-storage.ts';
import { mariadbExec, uniqueName } from './harness/sql.ts';
import { createTempAgent, localMariadb, type TempAgent } from './harness/temp-agent.ts';

/**
 * mariadb-dump leaves out every stored routine its user may not read, and says nothing: with the
 * usual dump grants (SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES) a backup has no procedures.
 * Such an artifact must say so; with SELECT on mysql.proc it is whole, and says nothing.
 */
const database = uniqueName('py_t_routines');
const second = uniqueName('py_t_routines2');
const user = uniqueName('py_t_dumper');
const password = 'routines-test-pw';
let temp: TempAgent;

beforeAll(async () => {
  await mariadbExec(`CREATE DATABASE ${database}; CREATE DATABASE ${second}`);
  await mariadbExec(
    `CREATE TABLE t (id INT PRIMARY KEY); CREATE PROCEDURE p_count() SELECT COUNT(*) FROM t;`,
    database,
  );
  await mariadbExec(
    `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}';
     GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON ${database}.* TO '${user}'@'%';
     GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON ${second}.* TO '${user}'@'%'`,
  );
  temp = await createTempAgent({
    shop: { ...localMariadb, user, password, databases: [database] },
  });
});

afterAll(async () => {
  await temp?.agent.close();
  await temp?.cleanup();
  await mariadbExec(
    `DROP DATABASE IF EXISTS ${database}; DROP DATABASE IF EXISTS ${second}; DROP USER IF EXISTS '${user}'@'%'`,
  );
});

describe('a MariaDB dump user that may not read routine bodies', () => {
  it('makes an artifact that says it lacks stored procedures and functions', async () => {
    const result = await temp.agent.backup({ targetName: 'shop' });
    expect(result.status).toBe('succeeded');
    const [artifact] = result.artifacts;
    expect(artifact?.incomplete).toMatch(
      /^stored procedures and functions are not in this backup: the dump user may not read their bodies \(grant SELECT ON mysql\.proc/,
    );
    expect(temp.agent.catalog.get(artifact!.id)?.manifest.labels[incompleteLabel]).toBe(artifact!.incomplete);
  });

  // Restoring such an artifact over its database drops the routines the artifact lacks; the
  // safety backup, made by the same user, lacks them too. Both are said, before and after.
  it('says so in the plan of a restore over its database, and of the safety backup after it', async () => {
    // What a restore needs, without a right on routines (with one, the dump fails outright).
    await mariadbExec(
      `GRANT CREATE, DROP, INSERT, ALTER, INDEX, CREATE VIEW, REFERENCES ON ${database}.* TO '${user}'@'%'`,
    );
    try {
      const backup = await temp.agent.backup({ targetName: 'shop' });
      expect(backup.failures).toEqual([]);
      const [artifact] = backup.artifacts;
      const plan = await temp.agent.planRestore(artifact!.id);
      expect(plan.warnings).toContainEqual(
        `artifact ${artifact!.id} is incomplete (${artifact!.incomplete}): what it lacks will be missing from ${database} after the restore`,
      );
      const result = await temp.agent.restore({ artifactId: artifact!.id, confirm: database });
      expect(result.warnings).toContainEqual(
        `the safety backup ${result.safetyArtifactId} is incomplete: ${artifact!.incomplete}`,
      );
      expect(await mariadbExec(`SHOW PROCEDURE STATUS WHERE Db = '${database}'`)).toEqual([]);
    } finally {
      await mariadbExec(`REVOKE ALL ON ${database}.* FROM '${user}'@'%'`);
      await mariadbExec(
        `GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON ${database}.* TO '${user}'@'%';
         CREATE PROCEDURE IF NOT EXISTS ${database}.p_count() SELECT COUNT(*) FROM ${database}.t`,
      );
    }
  });

  // The answer depends on the dump user only: one check per run, not one connection per database.
  it('asks once per run, and marks every database of the run', async () => {
    const real = engineFor(createEngineRegistry(), 'mariadb');
    let asked = 0;
    const counting: Engine = {
      ...real,
      dumpOmissions: (connection) => (asked++, real.dumpOmissions!(connection)),
    };
    const target = targetSchema.parse({
      ...localMariadb,
      user,
      password,
      databases: [database, second],
      destinations: ['local'],
    });
    const result = await backupTarget(
      {
        engine: counting,
        storages: [createFilesystemStorage({ name: 'local', root: join(temp.storageRoot, 'per-run') })],
        agentVersion: 'test',
      },
      { targetName: 'shop', target },
    );
    expect(result.status).toBe('succeeded');
    expect(result.artifacts.map((artifact) => artifact.incomplete)).toEqual([
      expect.stringMatching(/^stored procedures and functions are not in this backup/),
      expect.stringMatching(/^stored procedures and functions are not in this backup/),
    ]);
    expect(asked).toBe(1);
  });

  it('says nothing once the user may (SELECT on mysql.proc)', async () => {
    await mariadbExec(`GRANT SELECT ON mysql.proc TO '${user}'@'%'`);
    const result = await temp.agent.backup({ targetName: 'shop' });
    expect(result.status).toBe('succeeded');
    expect(result.artifacts[0]).not.toHaveProperty('incomplete');
    expect(temp.agent.catalog.get(result.artifacts[0]!.id)?.manifest.labels).not.toHaveProperty(
      incompleteLabel,
    );
  });
});
