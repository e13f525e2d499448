import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../src/api/app-router.ts';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import type { Identity } from '../../src/auth/identity.ts';
import type { Daemon } from '../../src/daemon/daemon.ts';
import { createAgent, type Agent } from '../../src/main.ts';
import { captureLog } from '../api/api-harness.ts';
import { sandboxNames, sandboxTraces, startSandboxFixture, type SandboxFixture } from './sandbox-fixture.ts';

/**
 * `port-yard sandbox create|list|extend|destroy` as a user runs them (a real process, a YAML
 * config with a relative maskingSql path), and the `sandboxes` API procedures: the password is in
 * the create answer and nowhere else (not in list, the audit log or the log lines).
 */
const repoRoot = resolve(import.meta.dirname, '../../..');
let fixture: SandboxFixture;
let agent: Agent;
let configFile: string;
let artifactId: string;

beforeAll(async () => {
  fixture = await startSandboxFixture(['mariadb']);
  const input = fixture.configInput() as { targets: Record<string, { sandbox: { maskingSql: string } }> };
  // Relative to the config file's folder, as users write it.
  input.targets['maria']!.sandbox.maskingSql = './mask-mariadb.sql';
  configFile = join(fixture.dir, 'port-yard.yaml');
  await writeFile(configFile, JSON.stringify(input));
  agent = createAgent(fixture.config());
  const result = await agent.backup({ targetName: 'maria' });
  expect(result.status).toBe('succeeded');
  artifactId = result.artifacts[0]!.id;
}, 120_000);

afterAll(async () => {
  await agent?.close();
  await fixture?.close();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      join(repoRoot, 'node_modules/.bin/node'),
      [join(repoRoot, 'agent/bin/port-yard.js'), '--config', configFile, ...args],
      (error, stdout, stderr) =>
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('port-yard sandbox', () => {
  it('create --json prints the credentials; list --json, extend and destroy never show the password', async () => {
    const created = await cli(['sandbox', 'create', artifactId, '--ttl', '4h', '--json']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const sandbox = JSON.parse(created.stdout);
    expect(Object.keys(sandbox)).toEqual(
      expect.arrayContaining([
        'id',
        'target',
        'artifactId',
        'server',
        'database',
        'user',
        'password',
        'host',
        'port',
        'uri',
        'expiresAt',
      ]),
    );
    expect(sandbox).toMatchObject({ target: 'maria', artifactId, server: 'maria', status: 'ready' });
    expect(sandbox.createdBy).toMatch(/^cli:/);
    expect(new Date(sandbox.expiresAt).getTime() - Date.now()).toBeGreaterThan(3.9 * 3_600_000);

    // The URI works as it is, and the masking script (a relative path) ran.
    const db = await mysql.createConnection({ uri: sandbox.uri });
    const [rows] = await db.query(`SELECT COUNT(*) AS n FROM Customer WHERE Email LIKE '%@example.invalid'`);
    await db.end();
    expect((rows as { n: number }[])[0]!.n).toBe(59);

    const listed = await cli(['sandbox', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id: sandbox.id, server: 'maria', status: 'ready' }),
    ]);
    expect(listed.stdout).not.toContain(sandbox.password);
    expect(listed.stdout).not.toContain('password');

    const human = await cli(['sandbox', 'list']);
    expect(human.stdout).toContain(sandbox.id);
    expect(human.stdout).not.toContain(sandbox.password);

    const extended = await cli(['sandbox', 'extend', sandbox.id, '--ttl', '2d', '--json']);
    expect(extended.code).toBe(0);
    expect(new Date(JSON.parse(extended.stdout).expiresAt).getTime()).toBeGreaterThan(
      Date.now() + 47 * 3_600_000,
    );
    expect(extended.stdout).not.toContain(sandbox.password);

    const destroyed = await cli(['sandbox', 'destroy', sandbox.id]);
    expect(destroyed.code).toBe(0);
    expect(destroyed.stdout).toContain(`dropped sandbox ${sandbox.id}`);
    expect(await sandboxTraces('mariadb', fixture.servers.mariadb, sandbox.id)).toEqual({
      database: false,
      user: false,
      row: false,
    });
    const again = await cli(['sandbox', 'destroy', sandbox.id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`no sandbox ${sandbox.id} on any sandbox test server`);
  });

  it('create without --json prints the credentials once, for people', async () => {
    const created = await cli(['sandbox', 'create', artifactId]);
    expect(created.code).toBe(0);
    const id = /sandbox (py_sbx_[0-9a-f]{10})/.exec(created.stdout)?.[1];
    expect(created.stdout).toMatch(/password: [A-Za-z0-9_-]{32}\n/);
    expect(created.stdout).toMatch(/uri: +mysql:\/\/py_sbx_/);
    expect((await cli(['sandbox', 'destroy', id!])).code).toBe(0);
  });

  it('exits 2 for a bad ttl or id, creating nothing', async () => {
    const badTtl = await cli(['sandbox', 'create', artifactId, '--ttl', 'forever']);
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toContain('ttl');
    const badId = await cli(['sandbox', 'destroy', 'shop']);
    expect(badId.code).toBe(2);
    expect(await sandboxNames('mariadb', fixture.servers.mariadb)).toEqual([]);
  });
});

describe('the sandboxes API', () => {
  const identity = (role: 'viewer' | 'operator'): Identity => ({
    kind: 'token',
    name: `ci-${role}`,
    role,
    groups: [],
    via: 'token',
  });

  it('create answers with the password; list, the audit log and the log lines never hold it', async () => {
    const log = captureLog();
    const audit = createAuditLog(log);
    const services = {
      daemon: { agent: () => agent } as unknown as Daemon,
      audit,
      startedAt: new Date(),
      reloadConfig: async () => agent.config,
    };
    const operator = appRouter.createCaller({
      services,
      identity: identity('operator'),
      address: '127.0.0.1',
    });
    const viewer = appRouter.createCaller({ services, identity: identity('viewer'), address: '127.0.0.1' });

    await agent.catalog.refresh();
    const created = await operator.sandboxes.create({ artifactId, ttl: '1h' });
    expect(created.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(created.createdBy).toBe('ci-operator');
    await expect(viewer.sandboxes.create({ artifactId })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const listed = await viewer.sandboxes.list();
    expect(listed.items.map((item) => item.id)).toEqual([created.id]);
    const extended = await operator.sandboxes.extend({ id: created.id, ttl: '3h' });
    const destroyed = await operator.sandboxes.destroy({ id: created.id });
    await expect(operator.sandboxes.destroy({ id: created.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    expect(audit.list().map((entry) => [entry.action, entry.outcome])).toEqual([
      ['sandbox.destroy', 'failed'],
      ['sandbox.destroy', 'ok'],
      ['sandbox.extend', 'ok'],
      ['sandbox.create', 'ok'],
    ]);
    expect(audit.list().at(-1)).toMatchObject({
      actor: 'ci-operator',
      artifactId,
      details: { sandbox: created.id, server: 'maria' },
    });
    const elsewhere = JSON.stringify([listed, extended, destroyed, audit.list(), log.lines]);
    expect(elsewhere).toContain(created.id);
    expect(elsewhere).not.toContain(created.password);
  });
});
