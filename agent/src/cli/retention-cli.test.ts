import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putFakeArtifact } from '../../test/harness/fake-artifacts.ts';
import { filesBelow } from '../../test/harness/temp-agent.ts';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';

/** `port-yard retention simulate|plan|apply` as a user runs them. */
const repoRoot = resolve(import.meta.dirname, '../../..');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      join(repoRoot, 'node_modules/.bin/node'),
      [join(repoRoot, 'agent/bin/port-yard.js'), ...args],
      (error, stdout, stderr) => {
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

let dir: string;
const hour = 3_600_000;
const newest = new Date('2026-11-26T12:00:00Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-retention-cli-'));
  await writeFile(join(dir, 'policy.yaml'), 'keepLast: 1\ntiers:\n  - { every: 1h, for: 3h }\n');
  const artifacts = Array.from({ length: 6 }, (_, index) => ({
    id: `a${index}`,
    startedAt: new Date(newest.getTime() - index * hour).toISOString(),
  }));
  await writeFile(join(dir, 'artifacts.json'), JSON.stringify(artifacts));
  await writeFile(join(dir, 'bad-policy.yaml'), 'tiers:\n  - { every: 7m, for: 1h }\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('port-yard retention', () => {
  it('simulate prints keep (with reasons) and delete, without any config', async () => {
    const result = await cli([
      'retention',
      'simulate',
      '--policy',
      join(dir, 'policy.yaml'),
      '--artifacts',
      join(dir, 'artifacts.json'),
      '--now',
      '2026-11-26T12:30:00Z',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(Object.keys(output)).toEqual(['keep', 'delete']);
    expect(output.keep.map((decision: { id: string }) => decision.id)).toEqual(['a0', 'a1', 'a2']);
    expect(output.keep[0].reasons).toContain('newest');
    expect(output.delete).toEqual([{ id: 'a3' }, { id: 'a4' }, { id: 'a5' }]);
  });

  it('simulate names the bad field of a policy and exits 2', async () => {
    const result = await cli([
      'retention',
      'simulate',
      '--policy',
      join(dir, 'bad-policy.yaml'),
      '--artifacts',
      join(dir, 'artifacts.json'),
      '--json',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('tiers[0].every');
    expect(result.stderr).toContain('divide a day');
    const missing = await cli([
      'retention',
      'simulate',
      '--policy',
      join(dir, 'nope.yaml'),
      '--artifacts',
      'x',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read ${join(dir, 'nope.yaml')}: no such file`);
  });

  it('plan shows what would go and changes nothing; apply deletes it', async () => {
    const storageRoot = join(dir, 'backups');
    const storage = createFilesystemStorage({ name: 'local', root: storageRoot });
    const past = Date.now() - hour; // artifacts dated in the future are always kept
    for (let index = 0; index < 4; index++) {
      await putFakeArtifact(storage, { startedAt: new Date(past - index * hour) });
    }
    const config = join(dir, 'port-yard.yaml');
    await writeFile(
      config,
      'version: 1\nstorages:\n  local: { type: filesystem, path: ./backups }\ntargets:\n  shop:\n    engine: mariadb\n    user: root\n    databases: [sales]\n    destinations: [local]\n    retention: { keepLast: 2 }\n',
    );
    const plan = await cli(['--config', config, 'retention', 'plan', 'shop', '--json']);
    expect(plan.code).toBe(0);
    const [group] = JSON.parse(plan.stdout);
    expect(group).toMatchObject({ storage: 'local', database: 'sales' });
    expect(group.plan.delete).toHaveLength(2);
    expect(await filesBelow(storageRoot)).toHaveLength(8);

    const apply = await cli(['--config', config, 'retention', 'apply', 'shop']);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('keep 2, deleted 2');
    expect(await filesBelow(storageRoot)).toHaveLength(4);
  });

  it('says which of the two reasons leaves nothing to do: no policy, or no artifacts', async () => {
    const config = join(dir, 'nothing.yaml');
    await writeFile(
      config,
      'version: 1\nstorages:\n  local: { type: filesystem, path: ./nothing }\ntargets:\n' +
        '  bare: { engine: mariadb, user: root, databases: [a], destinations: [local] }\n' +
        '  kept: { engine: mariadb, user: root, databases: [a], destinations: [local], retention: { keepLast: 2 } }\n',
    );
    const bare = await cli(['--config', config, 'retention', 'plan', 'bare']);
    expect(bare.stdout.trim()).toBe(
      'target bare has no retention policy (targets.bare.retention): nothing to do',
    );
    const kept = await cli(['--config', config, 'retention', 'apply', 'kept']);
    expect(kept.stdout.trim()).toBe('target kept has no artifacts: nothing to do');
  });
});
