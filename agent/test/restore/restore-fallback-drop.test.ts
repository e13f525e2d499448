import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineRegistry, engineFor } from '../../src/engines/engine-registry.ts';
import type { Engine } from '../../src/engines/engine.ts';
import { createAgent, type Agent } from '../../src/main.ts';
import { restoreArtifact } from '../../src/restore/restore-artifact.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';

/**
 * A streamed restore into a new database passes a damaged copy over for the next one, in a fresh
 * database; but when the half-loaded database cannot be dropped (an injected fault), the restore
 * stops there and says so, instead of trying the next copy over it.
 */
const source = uniqueName('py_t_rfd_src');
const into = uniqueName('py_t_rfd_new');
let dir: string;
let agent: Agent;
let artifactId: string;
let config: ReturnType<typeof configSchema.parse>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-rfd-'));
  await mariadbExec(`CREATE DATABASE \`${source}\``);
  await mariadbExec(
    'CREATE TABLE t (id INT PRIMARY KEY, v TEXT); INSERT INTO t SELECT seq, MD5(seq) FROM seq_1_to_20000;',
    source,
  );
  config = configSchema.parse({
    version: 1,
    storages: {
      first: { type: 'filesystem', path: join(dir, 'first') },
      second: { type: 'filesystem', path: join(dir, 'second') },
    },
    targets: {
      maria: {
        engine: 'mariadb',
        host: '127.0.0.1',
        port: 3306,
        user: 'root',
        databases: [source],
        destinations: ['first', 'second'],
        restore: { staging: false },
      },
    },
  });
  agent = createAgent(config);
  const result = await agent.backup({ targetName: 'maria' });
  artifactId = result.artifacts[0]!.id;
  // The first storage's copy is damaged half-way.
  const folder = join(dir, 'first', 'maria', source);
  const data = join(
    folder,
    (await readdir(folder)).find((name) => name.endsWith('.sql.zst'))!,
  );
  const bytes = await readFile(data);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  await writeFile(data, bytes);
  await agent.catalog.refresh();
});

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS \`${source}\`; DROP DATABASE IF EXISTS \`${into}\`;`);
  await agent?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a streamed restore into a new database, falling back to the next copy', () => {
  it('stops, naming the half-loaded database, when that database cannot be dropped', async () => {
    const real = engineFor(createEngineRegistry(), 'mariadb');
    const undroppable: Engine = {
      ...real,
      dropDatabase: () => Promise.reject(new Error('injected: DROP DATABASE failed')),
    };
    const restoring = restoreArtifact(
      {
        catalog: agent.catalog,
        storages: agent.storages,
        targets: config.targets,
        engineFor: () => undroppable,
        safetyBackup: () => Promise.reject(new Error('no safety backup for a new database')),
      },
      { artifactId, toDatabase: into },
    );
    const failure = await restoring.then(
      () => undefined,
      (error: unknown) => error as Error & { code: string },
    );
    expect(failure?.code).toBe('INTEGRITY_FAILED');
    expect(failure?.message).toContain(
      `the new database ${into} is left half-loaded, as dropping it failed (injected: DROP DATABASE failed)`,
    );
    expect(failure?.message).not.toContain('no storage holds a usable copy');
  });
});
