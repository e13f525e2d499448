import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxCredentials } from '@port-yard/shared';
import type { EngineName } from '@port-yard/shared';
import { createEngineRegistry, engineFor } from '../../src/engines/engine-registry.ts';
import { createAgent, type Agent } from '../../src/main.ts';
import { destroySandbox } from '../../src/sandbox/manage-sandboxes.ts';
import { sandboxTraces, startSandboxFixture, type SandboxFixture } from './sandbox-fixture.ts';

/**
 * Dropping MariaDB sandboxes when something is in the way.
 *
 * A developer who left a transaction open in a MariaDB sandbox (a GUI client in manual-commit
 * mode) holds a metadata lock on its tables: DROP DATABASE would wait for it for
 * lock_wait_timeout (a day by default), hanging the destroy and every later expiry pass.
 */
let fixture: SandboxFixture;
let agent: Agent;
let artifactId: string;

beforeAll(async () => {
  fixture = await startSandboxFixture(['mariadb']);
  agent = createAgent(fixture.config());
  const backup = await agent.backup({ targetName: 'maria' });
  expect(backup.status).toBe('succeeded');
  artifactId = backup.artifacts[0]!.id;
}, 120_000);

afterAll(async () => {
  await agent?.close();
  await fixture?.close();
});

async function openTransaction(sandbox: SandboxCredentials): Promise<mysql.Connection> {
  const db = await mysql.createConnection({
    host: sandbox.host,
    port: sandbox.port,
    user: sandbox.user,
    password: sandbox.password,
    database: sandbox.database,
  });
  db.on('error', () => undefined); // it is killed
  await db.query('BEGIN');
  await db.query('SELECT COUNT(*) FROM Customer');
  return db;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms)),
  ]);
}

describe('dropping a MariaDB sandbox whose user has a transaction open', () => {
  it('destroy ends the sessions and drops everything, without waiting for the transaction', async () => {
    const sandbox = await agent.createSandbox({ artifactId });
    const session = await openTransaction(sandbox);
    try {
      await within(agent.destroySandbox(sandbox.id), 15_000);
      expect(await sandboxTraces('mariadb', fixture.servers.mariadb, sandbox.id)).toEqual({
        database: false,
        user: false,
        row: false,
      });
    } finally {
      session.destroy();
    }
  }, 60_000);

  it('the expiry pass too', async () => {
    const sandbox = await agent.createSandbox({ artifactId, ttl: '1h' });
    const session = await openTransaction(sandbox);
    try {
      const pass = await within(agent.expireSandboxes(new Date(Date.now() + 2 * 3_600_000)), 15_000);
      expect(pass.problems).toEqual([]);
      expect(pass.dropped.map((item) => item.id)).toEqual([sandbox.id]);
      expect(await sandboxTraces('mariadb', fixture.servers.mariadb, sandbox.id)).toEqual({
        database: false,
        user: false,
        row: false,
      });
    } finally {
      session.destroy();
    }
  }, 60_000);
});

describe('a destroy whose drop fails (the test server went away for a moment)', () => {
  it('leaves the sandbox due, so the next expiry pass drops it, not only its TTL later', async () => {
    const sandbox = await agent.createSandbox({ artifactId, ttl: '30d' });
    const config = fixture.config();
    const engines = createEngineRegistry();
    const failing = {
      targets: config.targets,
      testServers: config.testServers,
      engineFor: (name: EngineName) => ({
        ...engineFor(engines, name),
        dropDatabase: () => Promise.reject(new Error('Connection lost: The server closed the connection.')),
      }),
    };
    await expect(destroySandbox(failing, sandbox.id)).rejects.toThrow(/Connection lost/);
    expect((await agent.listSandboxes()).items.find((item) => item.id === sandbox.id)).toMatchObject({
      status: 'dropping',
    });

    const pass = await agent.expireSandboxes(new Date());
    expect(pass.problems).toEqual([]);
    expect(pass.dropped.map((item) => item.id)).toEqual([sandbox.id]);
    expect(await sandboxTraces('mariadb', fixture.servers.mariadb, sandbox.id)).toEqual({
      database: false,
      user: false,
      row: false,
    });
  }, 60_000);
});
