import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetSchema } from '@port-yard/shared';
import { mariadbExec, uniqueName } from '../../../test/harness/sql.ts';
import { filesBelow, localMariadb } from '../../../test/harness/temp-agent.ts';
import { backupTarget } from '../../backup/backup-target.ts';
import { createFilesystemStorage } from '../../storage/filesystem-storage.ts';
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

  it('fails the backup when asked beside the dump and it cannot answer, and stores nothing', async () => {
    // mariadb-dump by name (its flavor is known), whose --version fails, after the (small) dump
    // was stored: asked only once the dump runs, its failure must still fail the backup, and the
    // stored dump must not stay behind (an orphan that every list would warn of).
    const bin = join(dir, 'bin');
    await mkdir(bin);
    const real = (await run('sh', ['-c', 'command -v mariadb-dump'])).stdout.trim();
    await writeFile(
      join(bin, 'mariadb-dump'),
      `#!/bin/sh\nif [ "$1" = --version ]; then sleep 1; echo 'broken' >&2; exit 3; fi\nexec ${real} "$@"\n`,
    );
    await chmod(join(bin, 'mariadb-dump'), 0o700);
    const database = uniqueName('py_t_version');
    await mariadbExec(`CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY)`);
    const root = join(dir, 'backups');
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const result = await backupTarget(
        { engine, storages: [createFilesystemStorage({ name: 'local', root })], agentVersion: 'test' },
        {
          targetName: 'm',
          target: targetSchema.parse({ ...localMariadb, databases: [database], destinations: ['local'] }),
        },
      );
      expect(result.status).toBe('failed');
      expect(result.failures[0]?.message).toMatch(/mariadb-dump --version failed/);
      expect(await filesBelow(root)).toEqual([]);
    } finally {
      process.env.PATH = path;
      await mariadbExec(`DROP DATABASE IF EXISTS ${database}`);
    }
  });
});
