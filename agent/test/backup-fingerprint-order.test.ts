import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { targetSchema, type Manifest } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupTarget } from '../src/backup/backup-target.ts';
import { createPostgresEngine } from '../src/engines/postgres/postgres-engine.ts';
import type { Engine } from '../src/engines/engine.ts';
import { createFilesystemStorage } from '../src/storage/filesystem-storage.ts';
import { postgresExec, uniqueName } from './harness/sql.ts';
import { localPostgres } from './harness/temp-agent.ts';

/**
 * The fingerprint a manifest records must be taken BEFORE the dump's snapshot
 * (engines/FINGERPRINTS.md): a write committed between the snapshot and a later fingerprint is in
 * the fingerprint but not in the dump, and the next scheduled run would skip it for good. A manual
 * run (no skip check) of a target with skipIfUnchanged records a fingerprint too.
 */
const db = uniqueName('py_t_fporder');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-fporder-'));
  await postgresExec(`CREATE DATABASE ${db}`);
  await postgresExec('CREATE TABLE t (v text); INSERT INTO t VALUES ($$early-row$$)', db);
});

afterAll(async () => {
  await postgresExec(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

describe('the fingerprint a backup records', () => {
  it(
    'sees no write that the dump missed, so the next scheduled run cannot skip it',
    { timeout: 60_000 },
    async () => {
      // pg_dump behind a wrapper that leaves a marker once it has finished.
      const marker = join(dir, 'dump-done');
      const wrapper = join(dir, 'pg_dump_wrapper');
      await writeFile(wrapper, `#!/bin/sh\npg_dump "$@"\nrc=$?\ntouch '${marker}'\nexit $rc\n`, {
        mode: 0o700,
      });
      const real = createPostgresEngine();
      let wrote = false;
      // A write that lands while the fingerprint is being taken: after the dump, if the dump came first.
      const engine: Engine = {
        ...real,
        async fingerprint(connection, database) {
          if (!wrote) {
            wrote = true;
            for (let waited = 0; waited < 2000 && !existsSync(marker); waited += 50) await sleep(50);
            await postgresExec('INSERT INTO t VALUES ($$late-row$$); SELECT pg_stat_force_next_flush()', db);
          }
          return real.fingerprint(connection, database);
        },
      };
      const target = targetSchema.parse({
        ...localPostgres,
        databases: [db],
        destinations: ['local'],
        compression: 'none',
        dumpFormat: 'plain',
        dumpCommand: wrapper,
        skipIfUnchanged: true,
      });
      const root = join(dir, 'backups');
      const deps = {
        engine,
        storages: [createFilesystemStorage({ name: 'local', root })],
        agentVersion: 'test',
      };

      const manual = await backupTarget(deps, { targetName: 't', target });
      expect(manual.status).toBe('succeeded');
      const artifact = manual.artifacts[0]!;
      const manifest = JSON.parse(
        await readFile(join(root, 't', db, `${artifact.id}.manifest.json`), 'utf8'),
      ) as Manifest;
      const dump = await readFile(join(root, 't', db, manifest.dataObject), 'utf8');
      expect(dump).toContain('early-row');

      const scheduled = await backupTarget(deps, {
        targetName: 't',
        target,
        skipIfUnchanged: {
          newest: () => ({ manifest, storages: manifest.destinations.map((d) => d.storage) }),
        },
      });
      // Skipping is right only when the artifact it relies on holds what the database holds.
      if (scheduled.status === 'skipped') expect(dump).toContain('late-row');
      else expect(scheduled.status).toBe('succeeded');
    },
  );
});
