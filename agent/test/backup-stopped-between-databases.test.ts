import { PortYardError } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempAgent, localMariadb, type TempAgent } from './harness/temp-agent.ts';
import { mariadbExec, uniqueName } from './harness/sql.ts';

/**
 * A run stopped (its timeout, a cancel) after one database was stored and before the next began
 * must not read as a success: the databases it never reached have no new artifact.
 */
const first = uniqueName('py_t_stop_a');
const second = uniqueName('py_t_stop_b');
let temp: TempAgent;

beforeAll(async () => {
  await mariadbExec(
    `CREATE DATABASE ${first}; CREATE TABLE ${first}.t (v INT); INSERT INTO ${first}.t VALUES (1);
     CREATE DATABASE ${second}; CREATE TABLE ${second}.t (v INT); INSERT INTO ${second}.t VALUES (2);`,
  );
  temp = await createTempAgent({ t: { ...localMariadb, databases: [first, second] } });
});

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS ${first}; DROP DATABASE IF EXISTS ${second};`);
  await temp?.cleanup();
});

describe('a run stopped between two databases', () => {
  it('fails and names the database it never backed up', { timeout: 60_000 }, async () => {
    const controller = new AbortController();
    const result = await temp.agent.backup({
      targetName: 't',
      signal: controller.signal,
      onProgress: (progress) => {
        // The first database is committing: its dump is whole, the timeout strikes now.
        if (progress.database === first && progress.phase === 'commit')
          controller.abort(new PortYardError('TIMEOUT', 'the run took longer than its timeout (1s)'));
      },
    });
    expect(result.artifacts.map((artifact) => artifact.database)).toEqual([first]);
    expect(result.status).toBe('failed');
    expect(result.failures.map((failure) => [failure.database, failure.code])).toEqual([[second, 'TIMEOUT']]);
  });
});
