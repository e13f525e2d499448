import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { executeRun } from '../src/daemon/execute-run.ts';
import { createAgent } from '../src/main.ts';
import { createRunRegistry } from '../src/runs/run-registry.ts';
import { filesBelow, localPostgres } from './harness/temp-agent.ts';
import { postgresExec, uniqueName } from './harness/sql.ts';

/**
 * Several destinations per target (3-2-1): one dump streamed to all at once; a failed destination
 * makes the run partial and the artifact exists exactly where it was committed.
 */
const database = uniqueName('py_t_dest');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-dest-'));
  await writeFile(join(dir, 'not-a-folder'), 'x');
  await postgresExec(`CREATE DATABASE ${database}`);
  await postgresExec(
    'CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g',
    database,
  );
});

afterAll(async () => {
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

function agentWith(storages: Record<string, string>) {
  const config = configSchema.parse({
    version: 1,
    storages: Object.fromEntries(
      Object.entries(storages).map(([name, path]) => [name, { type: 'filesystem', path }]),
    ),
    targets: { t: { ...localPostgres, databases: [database], destinations: Object.keys(storages) } },
  });
  return createAgent(config);
}

describe('several destinations', () => {
  it('writes identical copies to every destination from one dump', async () => {
    const agent = agentWith({ a: join(dir, 'a'), b: join(dir, 'b') });
    const result = await agent.backup({ targetName: 't' });
    expect(result.status).toBe('succeeded');
    expect(result.artifacts[0]!.destinations).toEqual([
      { storage: 'a', committed: true },
      { storage: 'b', committed: true },
    ]);
    expect(await filesBelow(join(dir, 'a'))).toEqual(await filesBelow(join(dir, 'b')));
    expect(agent.catalog.get(result.artifacts[0]!.id)!.locations.map((location) => location.storage)).toEqual(
      ['a', 'b'],
    );
  });

  it('marks the run partial when one destination fails; the artifact exists only where committed', async () => {
    const agent = agentWith({ good: join(dir, 'good'), broken: join(dir, 'not-a-folder', 'x') });
    const result = await agent.backup({ targetName: 't' });
    expect(result.status).toBe('partial');
    const [artifact] = result.artifacts;
    expect(artifact!.destinations).toEqual([
      { storage: 'good', committed: true },
      { storage: 'broken', committed: false, error: expect.stringContaining('ENOTDIR') },
    ]);
    expect(await filesBelow(join(dir, 'good'))).toHaveLength(2);
    await agent.catalog.refresh();
    const entry = agent.catalog.get(artifact!.id)!;
    expect(entry.locations.map((location) => location.storage)).toEqual(['good']);
    expect(entry.manifest.destinations).toEqual(artifact!.destinations);
  });

  it('says in the run (and so its log line) which destination failed, and why', async () => {
    const agent = agentWith({ good: join(dir, 'good2'), broken: join(dir, 'not-a-folder', 'y') });
    const registry = createRunRegistry();
    const run = registry.create('t', 'manual');
    await executeRun({ agent: () => agent, registry }, run, new AbortController().signal);
    const done = registry.get(run.id)!;
    expect(done.status).toBe('partial');
    expect(done.message).toMatch(new RegExp(`^${database} not stored in broken: .*ENOTDIR`));
  });
});

describe('a restore over the source, with a destination failing', () => {
  it('its safety backup reached only some storages: the result says which lack it', async () => {
    const agent = agentWith({ a: join(dir, 'ra'), b: join(dir, 'not-a-folder', 'rb') });
    const backup = await agent.backup({ targetName: 't' });
    expect(backup.status).toBe('partial');
    const restored = await agent.restore({ artifactId: backup.artifacts[0]!.id, confirm: database });
    expect(restored.safetyArtifactId).toBeDefined();
    expect(restored.warnings).toContainEqual(
      expect.stringMatching(
        new RegExp(`^the safety backup ${restored.safetyArtifactId} is not in storage b: `),
      ),
    );
    expect(
      agent.catalog.get(restored.safetyArtifactId!)!.locations.map((location) => location.storage),
    ).toEqual(['a']);
  });
});
