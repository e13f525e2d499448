import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chown, mkdir, mkdtemp, open, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from '../harness/free-port.ts';
import { isAlive } from '../harness/process-alive.ts';
import type { ServerSettings } from '../support/servers.ts';

const run = promisify(execFile);

/**
 * A second, independent database server in a temp dir on a free port (the "test server" for
 * restore verification and sandboxes). It is a `ServerSettings` (empty password), so the support
 * helpers (`connectMariadb`, `describeDatabase`, ...) accept it as is. Needs root: the server runs
 * as the `mysql` / `postgres` OS user. Never touches the machine's main servers on 3306/5432.
 */
export interface TestServer extends ServerSettings {
  readonly host: '127.0.0.1';
  /** The temp dir holding the data dir, socket and logs; removed by `stop()`. */
  readonly dir: string;
  /** The server process (mariadbd / postmaster). */
  readonly pid: number;
  /** SIGTERM (PostgreSQL: SIGINT, fast shutdown), SIGKILL after 10 s, then removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

const TEMP_PARENT = '/tmp'; // must be traversable by the mysql/postgres users (TMPDIR may not be)
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const START_ATTEMPTS = 3; // a free port can be taken between probing and binding

export { freePort };

/** True when something accepts TCP connections on 127.0.0.1:port. */
export async function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startMariadbServer(): Promise<TestServer> {
  requireRoot();
  const dir = await makeTempDir('mariadb', 'mysql');
  const data = join(dir, 'data');
  // A temp folder of its own. A MariaDB server deletes every `#sql*` file in its tmpdir when it
  // starts (leftovers of a crash, it assumes): left at the default /tmp, that took the machine's
  // MariaDB's live temporary tables from under it (its queries failed with "Error on delete of
  // '/tmp/#sql-temptable-…'", and it once crashed dropping one).
  const tmp = join(dir, 'tmp');
  await mkdir(tmp);
  await chown(tmp, ...(await idsOf('mysql')));
  try {
    // `--no-defaults` must come first; normal root auth gives root@localhost/127.0.0.1/::1 with no password.
    await run(
      'mariadb-install-db',
      [
        '--no-defaults',
        '--user=mysql',
        `--datadir=${data}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ],
      { env: { ...process.env, TMPDIR: tmp } },
    ).catch((error: unknown) => {
      throw new Error(`mariadb-install-db failed: ${describeExecError(error)}`);
    });
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const errorLog = join(dir, `error-${attempt}.log`);
      const socket = join(data, 's.sock');
      const child = spawn(
        '/usr/sbin/mariadbd',
        [
          '--no-defaults',
          '--user=mysql',
          `--datadir=${data}`,
          `--tmpdir=${tmp}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${socket}`,
          `--pid-file=${join(dir, 'mariadbd.pid')}`,
          `--log-error=${errorLog}`,
          '--skip-log-bin',
          '--innodb-buffer-pool-size=64M',
        ],
        { stdio: 'ignore' },
      );
      const exited = exitPromise(child);
      try {
        await waitReady(`mariadbd on port ${port}`, exited, () => mariadbPing(port, socket));
      } catch (error) {
        await killAndWait(child.pid, 'SIGTERM', exited);
        const log = await readTail(errorLog);
        if (attempt < START_ATTEMPTS && /bind|in use/i.test(log)) continue;
        throw new Error(`${(error as Error).message}\n--- ${errorLog} ---\n${log}`, { cause: error });
      }
      return makeServer('mariadb', 'root', port, dir, child.pid!, 'SIGTERM', exited);
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export async function startPostgresServer(): Promise<TestServer> {
  requireRoot();
  const bin = await postgresBinDir();
  const dir = await makeTempDir('postgres', 'postgres');
  const data = join(dir, 'data');
  const asPostgres = (command: string, args: string[]) =>
    run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args], { cwd: dir }).catch(
      (error: unknown) => {
        throw new Error(`${command} failed: ${describeExecError(error)}`);
      },
    );
  try {
    await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const log = join(dir, `server-${attempt}.log`);
      // `fsync=off`: a throwaway cluster needs no durability, and it makes CREATE DATABASE fast.
      const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
      try {
        await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', log, '-t', '30', '-w', 'start']);
      } catch (error) {
        const pid = await postmasterPid(data);
        if (pid) await killAndWait(pid, 'SIGINT');
        const text = await readTail(log);
        if (attempt < START_ATTEMPTS && /could not bind|in use/i.test(text)) continue;
        throw new Error(`${(error as Error).message}\n--- ${log} ---\n${text}`, { cause: error });
      }
      const pid = await postmasterPid(data);
      if (!pid) throw new Error(`pg_ctl started a server but ${data}/postmaster.pid has no PID`);
      return makeServer('postgres', 'postgres', port, dir, pid, 'SIGINT');
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export function startTestServer(engine: 'mariadb' | 'postgres'): Promise<TestServer> {
  return engine === 'mariadb' ? startMariadbServer() : startPostgresServer();
}

// --- internals --------------------------------------------------------------------------------

/** Servers not yet stopped; killed (and their dirs removed) if the test process exits first. */
const live = new Map<number, string>();
process.once('exit', () => {
  for (const [pid, dir] of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

function makeServer(
  engine: 'mariadb' | 'postgres',
  user: string,
  port: number,
  dir: string,
  pid: number,
  signal: NodeJS.Signals,
  exited?: Promise<void>,
): TestServer {
  live.set(pid, dir);
  let stopping: Promise<void> | undefined;
  return {
    engine,
    host: '127.0.0.1',
    port,
    user,
    password: '',
    dir,
    pid,
    stop() {
      stopping ??= (async () => {
        await killAndWait(pid, signal, exited);
        await rm(dir, { recursive: true, force: true });
        live.delete(pid);
      })();
      return stopping;
    },
  };
}

function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('test servers need root (they run as the mysql/postgres OS users; see ENVIRONMENT.md)');
  }
}

async function idsOf(owner: 'mysql' | 'postgres'): Promise<[number, number]> {
  const { stdout } = await run('id', ['-u', owner]);
  const { stdout: gid } = await run('id', ['-g', owner]);
  return [Number(stdout.trim()), Number(gid.trim())];
}

async function makeTempDir(engine: string, owner: 'mysql' | 'postgres'): Promise<string> {
  const dir = await mkdtemp(join(TEMP_PARENT, `py-testsrv-${engine}-`));
  await chown(dir, ...(await idsOf(owner)));
  return dir;
}

async function postgresBinDir(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root).catch(() => []))
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}/<version>/bin`);
  return join(root, versions[0]!, 'bin');
}

async function postmasterPid(data: string): Promise<number | undefined> {
  const text = await readFile(join(data, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * True when TCP root login works on *our* server (its socket path proves it is not some other
 * server that grabbed the port); rejects at once on auth errors (no point waiting).
 */
async function mariadbPing(port: number, socket: string): Promise<boolean> {
  let db: mysql.Connection | undefined;
  try {
    db = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 2_000 });
    const [rows] = await db.query('SELECT @@socket AS socket');
    return (rows as { socket: string }[])[0]?.socket === socket;
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') throw error;
    return false;
  } finally {
    await db?.end().catch(() => undefined);
  }
}

/** Polls `check` until true; fails after READY_TIMEOUT_MS or as soon as the process exits. */
async function waitReady(what: string, exited: Promise<void>, check: () => Promise<boolean>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (await check()) return;
    if (gone) throw new Error(`${what} exited before accepting connections`);
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${READY_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

function exitPromise(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

async function killAndWait(pid: number | undefined, signal: NodeJS.Signals, exited?: Promise<void>) {
  if (pid === undefined) return;
  const gone = exited ?? pollUntilDead(pid);
  const send = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // already gone
    }
  };
  if (!isAlive(pid)) return;
  send(signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
  });
  const result = await Promise.race([gone, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    send('SIGKILL');
    await gone;
  }
}

async function pollUntilDead(pid: number): Promise<void> {
  while (isAlive(pid)) await sleep(50);
}

async function readTail(path: string, bytes = 4_000): Promise<string> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return '(no log)';
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - bytes);
    const { buffer, bytesRead } = await file.read(Buffer.alloc(size - start), 0, size - start, start);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}

function describeExecError(error: unknown): string {
  const e = error as { message?: string; stderr?: string; stdout?: string };
  return [e.message, e.stderr, e.stdout].filter(Boolean).join('\n');
}
