import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresEngine } from './postgres-engine.ts';

/**
 * pg_dump's version is checked beside the dump, and its program starts only once the dump did:
 * each start takes the agent's thread for milliseconds the dump's own start would wait.
 */
describe('the pg_dump version check', () => {
  let dir: string;
  let pgDump: string;
  let calls: string;
  const server = Promise.resolve({ flavor: 'PostgreSQL', version: '15.4', major: 15 });
  const connection = { host: '127.0.0.1', port: 5432, user: 'backup' };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'py-pg-version-'));
    pgDump = join(dir, 'pg_dump');
    calls = join(dir, 'calls');
    await writeFile(pgDump, `#!/bin/sh\necho "$@" >> '${calls}'\necho "pg_dump (PostgreSQL) 15.4"\n`, {
      mode: 0o700,
    });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const callsSoFar = async (): Promise<string> => readFile(calls, 'utf8').catch(() => '');

  it('starts pg_dump --version only once the dump started', async () => {
    let dumpStarted!: () => void;
    const dump = await createPostgresEngine().prepareDump({
      connection,
      database: 'shop',
      server,
      dumpStarted: new Promise((resolve) => (dumpStarted = resolve)),
      dumpCommand: pgDump,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await callsSoFar()).toBe('');
      dumpStarted();
      expect(await dump.toolVersion).toBe('15.4');
      expect(await callsSoFar()).toBe('--version\n');
    } finally {
      await dump.dispose();
    }
  });

  it('rejects with VERSION_MISMATCH for a pg_dump older than the server', async () => {
    const dump = await createPostgresEngine().prepareDump({
      connection,
      database: 'shop',
      server: Promise.resolve({ flavor: 'PostgreSQL', version: '16.2', major: 16 }),
      dumpStarted: Promise.resolve(),
      dumpCommand: pgDump,
    });
    try {
      await expect(dump.toolVersion).rejects.toMatchObject({
        code: 'VERSION_MISMATCH',
        message: expect.stringContaining('pg_dump 15.4 cannot dump PostgreSQL 16.2'),
      });
    } finally {
      await dump.dispose();
    }
  });
});
