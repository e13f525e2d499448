import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeLocalConfig } from '../../test/harness/cli-process.ts';
import { mariadbExec, uniqueName } from '../../test/harness/sql.ts';

/**
 * `restore` leaves what the command line does not say to the target's restore settings: a target
 * with `restore.safetyBackup: false` gets no safety backup unless --safety-backup asks for one.
 */
let dir: string;
let config: string;
let artifactId: string;
const database = uniqueName('py_cli_restore');

const cli = (...args: string[]) => runCli(['--config', config, ...args]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-restore-options-'));
  config = join(dir, 'port-yard.yaml');
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY); INSERT INTO ${database}.t VALUES (1), (2);`,
  );
  await writeLocalConfig(config, [
    '  shop:',
    '    engine: mariadb',
    '    host: 127.0.0.1',
    '    user: root',
    `    databases: [${database}]`,
    '    destinations: [local]',
    '    restore: { safetyBackup: false }',
  ]);
  const backup = await cli('backup', 'shop', '--json');
  expect(backup.code).toBe(0);
  artifactId = JSON.parse(backup.stdout).artifacts[0].id as string;
});

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS ${database};`);
  await rm(dir, { recursive: true, force: true });
});

describe('port-yard restore: the target decides what the command line leaves open', () => {
  it('takes no safety backup when the target says restore.safetyBackup: false, and says so', async () => {
    const restored = await cli('restore', artifactId, '--yes', '--json');
    expect(restored.code).toBe(0);
    expect(restored.stderr).toContain(`NO safety backup of ${database} is taken first`);
    expect(JSON.parse(restored.stdout).safetyArtifactId).toBeUndefined();
    const listed = JSON.parse((await cli('list', 'shop', '--json')).stdout) as unknown[];
    expect(listed).toHaveLength(1);
  });

  it('takes one with --safety-backup', async () => {
    const restored = await cli('restore', artifactId, '--yes', '--safety-backup', '--json');
    expect(restored.code).toBe(0);
    expect(restored.stderr).toContain(`a safety backup of ${database} is taken first`);
    expect(JSON.parse(restored.stdout).safetyArtifactId).toMatch(/^\d{4}-/);
    expect(await mariadbExec(`SELECT count(*) AS n FROM ${database}.t`)).toEqual([{ n: 2 }]);
  });
});
