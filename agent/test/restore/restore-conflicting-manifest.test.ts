import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateArtifact } from '../../src/http/download-locate.ts';
import { createAgent, type Agent } from '../../src/main.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';
import { localMariadb } from '../harness/temp-agent.ts';

/**
 * Two storages hold an artifact, and the manifest in the first was damaged (its sha256 zeroed).
 * The catalog used the first storage's manifest for every copy, so the intact copy in the second
 * failed its check too, and the restore refused a good backup as damaged.
 */
const source = uniqueName('py_t_rcm_src');
const into = uniqueName('py_t_rcm_new');
let dir: string;
let agent: Agent;
let artifactId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-rcm-'));
  await mariadbExec(
    `CREATE DATABASE ${source}; CREATE TABLE ${source}.t (id INT); INSERT INTO ${source}.t VALUES (1), (2);`,
  );
  const config = configSchema.parse({
    version: 1,
    storages: {
      first: { type: 'filesystem', path: join(dir, 'first') },
      second: { type: 'filesystem', path: join(dir, 'second') },
    },
    targets: { maria: { ...localMariadb, databases: [source], destinations: ['first', 'second'] } },
  });
  artifactId = (await createAgent(config).backup({ targetName: 'maria' })).artifacts[0]!.id;
  const folder = join(dir, 'first', 'maria', source);
  const manifestFile = join(
    folder,
    (await readdir(folder)).find((name) => name.endsWith('.manifest.json'))!,
  );
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { sha256: string };
  await writeFile(manifestFile, JSON.stringify({ ...manifest, sha256: '0'.repeat(64) }));
  agent = createAgent(config);
});

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS ${source}; DROP DATABASE IF EXISTS ${into};`);
  await agent?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('copies whose manifests disagree', () => {
  it('the catalog reports the disagreement', async () => {
    const problems = await agent.catalog.refresh();
    expect(problems).toContainEqual(
      expect.objectContaining({
        storage: 'second',
        kind: 'conflicting-manifest',
        message: expect.stringContaining('one of them is damaged, and each copy is checked against its own'),
      }),
    );
  });

  it('a restore checks each copy against its own manifest, and loads the intact one', async () => {
    const result = await agent.restore({ artifactId, toDatabase: into });
    expect(result.warnings).toContainEqual(expect.stringMatching(/storage first/));
    expect(await mariadbExec(`SELECT COUNT(*) AS n FROM ${into}.t`)).toEqual([{ n: 2 }]);
  });

  it('a download serves each copy with its own manifest', async () => {
    const entry = agent.catalog.get(artifactId)!;
    const second = await locateArtifact(entry, agent.storages, 'second');
    expect(second.manifest.sha256).not.toBe('0'.repeat(64));
    expect((await locateArtifact(entry, agent.storages, 'first')).manifest.sha256).toBe('0'.repeat(64));
  });
});
