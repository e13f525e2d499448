import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../src/platform/find-executable.ts';
import { createTempAgent, filesBelow, localPostgres, type TempAgent } from './harness/temp-agent.ts';
import { postgresExec, uniqueName } from './harness/sql.ts';

/**
 * A backup makes the kernel pipe between the dump tool and zstd ahead, beside the compressor's
 * probe (os-pipe.ts). However the backup ends, and whether or not the pipe was used, this
 * process keeps no descriptor of it: in the daemon a leaked pair would pile up run after run.
 */
const database = uniqueName('py_t_pipe');
const agents: TempAgent[] = [];

/** Descriptors of this process still open on a pipe made by createOsPipe (named by its folder). */
async function osPipeFds(): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const links = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return links.filter((link) => link.includes('port-yard-pipe-'));
}

/** Runs `body` and expects no descriptor of such a pipe to be open after it that was not before. */
async function leavesNoPipe(body: () => Promise<void>): Promise<void> {
  const before = await osPipeFds();
  await body();
  expect(await osPipeFds()).toEqual(before);
}

async function agentFor(target: Record<string, unknown>): Promise<TempAgent> {
  const temp = await createTempAgent({ t: { ...localPostgres, databases: [database], ...target } as never });
  agents.push(temp);
  return temp;
}

beforeAll(async () => {
  await postgresExec(`CREATE DATABASE ${database}`);
  await postgresExec(`CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g`, database);
});

afterAll(async () => {
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await Promise.all(agents.map((temp) => temp.cleanup()));
});

describe.skipIf(process.platform !== 'linux')('the dump pipe made ahead', () => {
  it('is closed after a backup that used it', () =>
    leavesNoPipe(async () => {
      const temp = await agentFor({});
      const result = await temp.agent.backup({ targetName: 't' });
      expect(result.status).toBe('succeeded');
    }));

  it('is closed after a backup that failed before its dump started', () =>
    leavesNoPipe(async () => {
      const temp = await agentFor({ dumpCommand: '/nonexistent/pg_dump' });
      const result = await temp.agent.backup({ targetName: 't' });
      expect(result.failures[0]).toMatchObject({ code: 'TOOL_MISSING' });
    }));

  it('is waited for and closed when the backup fails before the pipe was even made', async () => {
    // A slow mkfifo (a loaded machine): the backup fails first. Not waiting for the pipe would
    // leave it to be opened, and closed, after the backup had ended.
    const slowBin = await mkdtemp(join(tmpdir(), 'py-slow-mkfifo-'));
    const made = join(slowBin, 'made');
    const realMkfifo = (await findExecutable('mkfifo')) ?? '/usr/bin/mkfifo';
    await writeFile(join(slowBin, 'mkfifo'), `#!/bin/sh\nsleep 0.3\n${realMkfifo} "$@" && touch ${made}\n`, {
      mode: 0o700,
    });
    const path = process.env.PATH;
    process.env.PATH = `${slowBin}:${path}`;
    try {
      await leavesNoPipe(async () => {
        const temp = await agentFor({ dumpCommand: '/nonexistent/pg_dump' });
        const result = await temp.agent.backup({ targetName: 't' });
        expect(result.failures[0]).toMatchObject({ code: 'TOOL_MISSING' });
        expect(existsSync(made)).toBe(true);
      });
    } finally {
      process.env.PATH = path;
      await rm(slowBin, { recursive: true, force: true });
    }
  });

  it('is closed when the dump is read by the agent instead (a dumpCommand wrapper)', () =>
    leavesNoPipe(async () => {
      const wrapper = join(tmpdir(), uniqueName('py-pg-dump-wrapper'));
      await writeFile(wrapper, '#!/bin/sh\nexec pg_dump "$@"\n', { mode: 0o700 });
      const temp = await agentFor({ dumpCommand: wrapper });
      const result = await temp.agent.backup({ targetName: 't' }).finally(() => rm(wrapper, { force: true }));
      expect(result.status).toBe('succeeded');
    }));

  it('is closed when an unchanged database is skipped', () =>
    leavesNoPipe(async () => {
      const temp = await agentFor({ skipIfUnchanged: true });
      expect((await temp.agent.backup({ targetName: 't' })).status).toBe('succeeded');
      const [manifestFile] = (await filesBelow(temp.storageRoot)).filter((file) =>
        file.endsWith('.manifest.json'),
      );
      const manifest = JSON.parse(await readFile(join(temp.storageRoot, manifestFile!), 'utf8')) as Manifest;
      const again = await temp.agent.backup({
        targetName: 't',
        skipIfUnchanged: {
          newest: () => ({ manifest, storages: manifest.destinations.map((d) => d.storage) }),
        },
      });
      expect(again.status).toBe('skipped');
    }));

  it('is not left behind by a target without zstd', () =>
    leavesNoPipe(async () => {
      const temp = await agentFor({ compression: 'gzip' });
      const result = await temp.agent.backup({ targetName: 't' });
      expect(result.status).toBe('succeeded');
    }));
});
