import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineRegistry, engineFor } from '../engine-registry.ts';
import type { ConnectionSettings } from '../engine.ts';
import { parseMysqlToolVersion } from './mysql-dump-args.ts';

/** mariadb-dump's version is asked beside the dump, not before it: the dump need not wait for it. */
const run = promisify(execFile);
const connection: ConnectionSettings = { host: '127.0.0.1', port: 3306, user: 'root' };
const server = Promise.resolve({ flavor: 'MariaDB', version: '10.11.19-MariaDB', major: 10 });
const engine = engineFor(createEngineRegistry(), 'mariadb');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-mysql-version-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the MariaDB dump tool version', () => {
  it('is asked of mariadb-dump only once the dump started, and is its own', async () => {
    let started!: () => void;
    const dumpStarted = new Promise<void>((resolve) => (started = resolve));
    const dump = await engine.prepareDump({ connection, database: 'shop', server, dumpStarted });
    try {
      let version: string | undefined;
      void dump.toolVersion.then((answer) => (version = answer));
      await sleep(300);
      expect(version).toBeUndefined();
      started();
      const printed = (await run('mariadb-dump', ['--version'])).stdout;
      expect(await dump.toolVersion).toBe(parseMysqlToolVersion(printed).version);
      expect(dump.command.args).not.toContain('--set-gtid-purged=OFF');
    } finally {
      await dump.dispose();
    }
  });

  it('is asked first of any other tool (a MySQL 8 tool takes other arguments)', async () => {
    const mysql8 = join(dir, 'mysqldump');
    await writeFile(
      mysql8,
      "#!/bin/sh\necho 'mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)'\n",
    );
    await chmod(mysql8, 0o700);
    // Never started: a tool that is asked first has answered before the dump could start.
    const dumpStarted = new Promise<void>(() => undefined);
    const dump = await engine.prepareDump({
      connection,
      database: 'shop',
      server,
      dumpStarted,
      dumpCommand: mysql8,
    });
    try {
      expect(await dump.toolVersion).toBe('8.0.36');
      expect(dump.command.args).toContain('--set-gtid-purged=OFF');
    } finally {
      await dump.dispose();
    }
  });
});
