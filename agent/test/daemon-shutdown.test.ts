import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@port-yard/shared';
import { configSchema } from '@port-yard/shared';
import { createDaemon, type Daemon } from '../src/daemon/daemon.ts';
import { silentLogger } from '../src/platform/logger.ts';
import { localPostgres } from './harness/temp-agent.ts';
import { postgresExec, uniqueName } from './harness/sql.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * Verifications at shutdown: a restore into the test server can take as long as the backup
 * (hours for a big database), so stopping the daemon must cancel it after the grace period like
 * a backup, not wait for it (the orchestrator kills the agent meanwhile and the restore tool and
 * scratch database are left behind). The test server is reached through a slow link (a proxy
 * that forwards 100 kB/s towards the server) so that a restore takes seconds.
 */
const database = uniqueName('py_t_shutdown');
let dir: string;
let proxy: SlowProxy;
const daemons: Daemon[] = [];

interface SlowProxy {
  readonly port: number;
  /** Connections now open whose client sent more than `bytes`. */
  busy(bytes: number): number;
  /** The most connections over `bytes` ever open at once. */
  readonly peak: { value: number };
  close(): Promise<void>;
}

/** A TCP proxy to the local PostgreSQL that forwards client bytes at about `bytesPerSecond`. */
async function startSlowProxy(bytesPerSecond: number, busyBytes: number): Promise<SlowProxy> {
  const sent = new Map<Socket, number>();
  const sockets = new Set<Socket>();
  const peak = { value: 0 };
  const busy = (bytes: number): number => [...sent.values()].filter((count) => count > bytes).length;
  const server: Server = createServer((client) => {
    const upstream = connect(5432, '127.0.0.1');
    sockets.add(client).add(upstream);
    sent.set(client, 0);
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      sent.set(client, (sent.get(client) ?? 0) + chunk.length);
      peak.value = Math.max(peak.value, busy(busyBytes));
      upstream.write(chunk);
      client.pause();
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    const end = (): void => {
      sent.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    busy,
    peak,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function startDaemon(verifyAfter: string): Daemon {
  const daemon = createDaemon({
    config: configSchema.parse({
      version: 1,
      retentionSchedule: '0 0 1 1 *',
      storages: { local: { type: 'filesystem', path: join(dir, `backups-${daemons.length}`) } },
      testServers: {
        slow: { engine: 'postgres', host: '127.0.0.1', port: proxy.port, user: 'postgres' },
      },
      targets: {
        pg: { ...localPostgres, databases: [database], verify: { server: 'slow', after: verifyAfter } },
      },
    }),
    log: silentLogger,
  });
  daemons.push(daemon);
  return daemon;
}

const ended = (daemon: Daemon, id: string) => () => {
  const run: RunRecord | undefined = daemon.registry.get(id);
  return run && !['queued', 'running'].includes(run.status) ? run : undefined;
};

/** Scratch databases of verifications on the local server (this test's and maybe others'). */
const scratchDatabases = async (): Promise<string[]> =>
  (await postgresExec("SELECT datname FROM pg_database WHERE datname LIKE 'py_verify_%'")).rows.map(
    (row: { datname: string }) => row.datname,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-daemon-shutdown-'));
  proxy = await startSlowProxy(100_000, 50_000);
  await postgresExec(`CREATE DATABASE ${database}`);
  // About 1 MB of table data: ten seconds through the proxy.
  await postgresExec(
    `CREATE TABLE items (id int PRIMARY KEY, note text);
     INSERT INTO items SELECT i, md5(i::text) || md5((i + 1)::text) FROM generate_series(1, 15000) AS i`,
    database,
  );
});

afterEach(async () => {
  await Promise.all(daemons.splice(0).map((daemon) => daemon.stop(0)));
});

afterAll(async () => {
  // Verifications still going (when stop did not cancel them) drop their scratch databases first.
  await waitFor('the test server connections to end', () => proxy.busy(-1) === 0, 30_000).catch(
    () => undefined,
  );
  await proxy?.close();
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

describe('daemon shutdown during a verification', () => {
  it('verify.after each: stop cancels the restore into the test server after the grace period', async () => {
    const before = await scratchDatabases();
    const daemon = startDaemon('each');
    await daemon.start();
    const run = daemon.runNow('pg');
    await waitFor('the restore into the test server', () => proxy.busy(50_000) > 0);

    const stopping = Date.now();
    await daemon.stop(200);
    // Not the ~10 s a verification takes: cancelled, and its scratch database dropped (which
    // waits for a checkpoint on a busy server).
    expect(Date.now() - stopping).toBeLessThan(8000);
    const record = ended(daemon, run.id)()!;
    expect(record.status).toBe('succeeded');
    expect(record.verification).toEqual({ passed: 0, failed: 0, errors: 1 });
    // The cancelled verification dropped its scratch database.
    expect((await scratchDatabases()).filter((name) => !before.includes(name))).toEqual([]);
  }, 60_000);

  it('verify.after cron: one verification at a time, and stop cancels it', async () => {
    const before = await scratchDatabases();
    const daemon = startDaemon('* * * * * *');
    await daemon.start();
    await waitFor('a backup', ended(daemon, daemon.runNow('pg').id));
    await waitFor('the restore into the test server', () => proxy.busy(50_000) > 0);
    // The cron fires every second; a verification takes about ten.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(proxy.peak.value).toBe(1);

    const stopping = Date.now();
    await daemon.stop(200);
    // Not the ~10 s a verification takes: cancelled, and its scratch database dropped (which
    // waits for a checkpoint on a busy server).
    expect(Date.now() - stopping).toBeLessThan(8000);
    // The killed restore tool's connection closes in the kernel at once; this proxy, in this
    // process, hears of it an event-loop turn or more later.
    await expect.poll(() => proxy.busy(50_000)).toBe(0);
    expect((await scratchDatabases()).filter((name) => !before.includes(name))).toEqual([]);
  }, 60_000);
});
