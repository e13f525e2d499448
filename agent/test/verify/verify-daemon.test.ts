import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.ts';
import { silentLogger } from '../../src/platform/logger.ts';
import { localMariadb } from '../harness/temp-agent.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';
import { waitFor } from '../harness/wait-for.ts';
import { startMariadbServer, type TestServer } from '../servers/test-servers.ts';
import { verifyConfig } from './verify-config.ts';

/** verify.after: each — the daemon verifies every new artifact on the test server after its backup. */
const database = uniqueName('py_t_verify_daemon');
let dir: string;
let server: TestServer;
let daemon: Daemon;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-verify-daemon-'));
  server = await startMariadbServer();
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY); INSERT INTO ${database}.t VALUES (1), (2), (3); ANALYZE TABLE ${database}.t;`,
  );
  daemon = createDaemon({
    config: verifyConfig({
      dir,
      server,
      engine: 'mariadb',
      name: 'scratch',
      targets: {
        t: { ...localMariadb, databases: [database], verify: { server: 'scratch', after: 'each' } },
      },
    }),
    log: silentLogger,
  });
  await daemon.start();
});

afterAll(async () => {
  await daemon.stop(1000);
  await server.stop();
  await mariadbExec(`DROP DATABASE IF EXISTS ${database}`);
  await rm(dir, { recursive: true, force: true });
});

describe('verification after each backup', () => {
  it('verifies the new artifact and records the outcome on the run', async () => {
    const run = daemon.runNow('t');
    const done = await waitFor(
      'the run with its verification',
      () => {
        const record = daemon.registry.get(run.id);
        return record?.status === 'succeeded' ? record : undefined;
      },
      60_000,
    );
    expect(done.verification).toEqual({ passed: 1, failed: 0, errors: 0 });
    const [entry] = daemon.agent().catalog.list({ target: 't' });
    expect(entry!.locations[0]!.sidecars?.verification).toMatch(/\.verification\.json$/);
  });
});
