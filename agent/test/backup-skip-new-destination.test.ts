import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetSchema, type Manifest } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupTarget } from '../src/backup/backup-target.ts';
import { createPostgresEngine } from '../src/engines/postgres/postgres-engine.ts';
import { createFilesystemStorage } from '../src/storage/filesystem-storage.ts';
import { filesBelow, localPostgres } from './harness/temp-agent.ts';
import { postgresExec, uniqueName } from './harness/sql.ts';

/**
 * Skip-if-unchanged relies on the previous artifact being where this run would write: a storage
 * it never reached (an offsite added to the target, or one whose upload failed) must get a copy,
 * else it holds nothing of this state for as long as the database does not change.
 */
const db = uniqueName('py_t_skipdest');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-skipdest-'));
  await postgresExec(`CREATE DATABASE ${db}`);
  await postgresExec('CREATE TABLE t (v int); INSERT INTO t VALUES (1)', db);
});

afterAll(async () => {
  await postgresExec(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

describe('skip if unchanged, with a destination the previous artifact is not in', () => {
  it('backs up to reach it, then skips again', { timeout: 60_000 }, async () => {
    const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
    const offsite = createFilesystemStorage({ name: 'offsite', root: join(dir, 'offsite') });
    const target = (destinations: string[]) =>
      targetSchema.parse({
        ...localPostgres,
        databases: [db],
        destinations,
        skipIfUnchanged: true,
      });
    const engine = createPostgresEngine();
    const manifests: Manifest[] = [];
    const onArtifact = (manifest: Manifest) => void manifests.push(manifest);
    const newest = () => manifests.at(-1);

    const first = await backupTarget(
      { engine, storages: [local], agentVersion: 'test', onArtifact },
      { targetName: 't', target: target(['local']) },
    );
    expect(first.status).toBe('succeeded');

    // The offsite storage is added; nothing changed in the database.
    const both = { engine, storages: [local, offsite], agentVersion: 'test', onArtifact };
    const second = await backupTarget(both, {
      targetName: 't',
      target: target(['local', 'offsite']),
      skipIfUnchanged: { newest },
    });
    expect(second.status).toBe('succeeded');
    expect((await filesBelow(join(dir, 'offsite'))).filter((f) => f.endsWith('.manifest.json'))).toHaveLength(
      1,
    );

    const third = await backupTarget(both, {
      targetName: 't',
      target: target(['local', 'offsite']),
      skipIfUnchanged: { newest },
    });
    expect(third.status).toBe('skipped');
  });
});

describe('skip if unchanged, after the target changed how it stores', () => {
  it(
    'backs up once in the new compression or encryption, then skips again',
    { timeout: 60_000 },
    async () => {
      const local = createFilesystemStorage({ name: 'local', root: join(dir, 'settings') });
      const recipient = execFileSync('age-keygen', { encoding: 'utf8' }).match(/public key: (age1\w+)/)![1]!;
      const target = (settings: object) =>
        targetSchema.parse({
          ...localPostgres,
          databases: [db],
          destinations: ['local'],
          skipIfUnchanged: true,
          ...settings,
        });
      const manifests: Manifest[] = [];
      const deps = {
        engine: createPostgresEngine(),
        storages: [local],
        agentVersion: 'test',
        onArtifact: (manifest: Manifest) => void manifests.push(manifest),
      };
      const run = (settings: object) =>
        backupTarget(deps, {
          targetName: 't',
          target: target(settings),
          skipIfUnchanged: { newest: () => manifests.at(-1) },
        });

      expect((await run({ compression: 'zstd' })).status).toBe('succeeded');
      expect((await run({ compression: 'zstd' })).status).toBe('skipped');
      expect((await run({ compression: 'gzip' })).status).toBe('succeeded');
      expect((await run({ compression: 'gzip' })).status).toBe('skipped');
      const encrypted = { compression: 'gzip', encryption: { recipients: [recipient] } };
      expect((await run(encrypted)).status).toBe('succeeded');
      expect(manifests.at(-1)!.encryption).toMatchObject({ recipients: [recipient] });
      expect((await run(encrypted)).status).toBe('skipped');
    },
  );
});
