import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortYardConfigInput } from '@port-yard/shared';
import { authSchema } from '@port-yard/shared';
import { createLdapLogin } from '../../src/auth/ldap/ldap-login.ts';
import { silentLogger } from '../../src/platform/logger.ts';
import { startAuthAgent, sessionOf, type AuthAgent } from './auth-agent.ts';
import { freePort } from '../harness/free-port.ts';
import { people, suffix, users } from './ldap-seed.ts';
import { startSlapd, type TestSlapd } from './slapd-harness.ts';

/** LDAP sign-in against a real slapd: bind as the user, groups from the directory, role mapping. */
let slapd: TestSlapd;
let agent: AuthAgent;

const roles = [
  { role: 'operator' as const, groups: ['dba'] },
  { role: 'viewer' as const, groups: ['staff'] },
];
const ldapAuth = (ldap: Record<string, unknown> = {}): PortYardConfigInput['auth'] => ({
  mode: 'ldap',
  ldap: {
    url: slapd.url,
    userDnTemplate: `uid={username},${people}`,
    groupSearchBase: `ou=groups,${suffix}`,
    ...ldap,
  },
  roles,
  defaultRole: 'none',
});

beforeAll(async () => {
  slapd = await startSlapd();
  agent = await startAuthAgent(ldapAuth());
});
afterAll(async () => {
  await agent?.close();
  await slapd?.stop();
});

async function login(url: string, username: string, password: string) {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const cookie = /^py_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '')?.[0];
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, cookie };
}

const lastLogin = (on: AuthAgent) => on.api.audit.list().find((entry) => entry.action === 'login');

describe('LDAP sign-in', () => {
  it('binds as the user and maps the groups found to a role', async () => {
    const alice = await login(agent.url, 'alice', users.alice.password);
    expect(alice).toMatchObject({ status: 200, body: { name: 'alice', role: 'operator' } });
    expect(await sessionOf(agent.url, alice.cookie)).toEqual({
      name: 'alice',
      role: 'operator',
      kind: 'user',
    });
    expect(lastLogin(agent)).toMatchObject({ actor: 'alice', outcome: 'ok', details: { role: 'operator' } });

    const bob = await login(agent.url, 'bob', users.bob.password);
    expect(await sessionOf(agent.url, bob.cookie)).toMatchObject({ name: 'bob', role: 'viewer' });
  });

  it('refuses a wrong or empty password (401, audited as denied)', async () => {
    const wrong = await login(agent.url, 'alice', 'not-her-password');
    expect([wrong.status, wrong.cookie]).toEqual([401, undefined]);
    expect(lastLogin(agent)).toMatchObject({ actor: 'alice', outcome: 'denied' });
    // An empty password would be an "unauthenticated bind", which the server reports as success.
    expect((await login(agent.url, 'alice', '')).status).toBe(401);
  });

  it('refuses a user whose groups map to no role', async () => {
    expect((await login(agent.url, 'eve', users.eve.password)).status).toBe(401);
    expect(agent.logLines.join('\n')).toContain('LDAP user has no role here');
  });

  it('keeps DN and filter syntax in a user name one value (no injection)', async () => {
    // Unescaped, this would bind as uid=admin,ou=x,ou=people,... (a dba member) with its password.
    expect((await login(agent.url, 'admin,ou=x', users.bait.password)).status).toBe(401);
    expect((await login(agent.url, '*)(uid=*', users.alice.password)).status).toBe(401);
    expect((await login(agent.url, '*', users.alice.password)).status).toBe(401);
    expect((await login(agent.url, 'alice\u0000', users.alice.password)).status).toBe(401);
    expect(agent.logLines.join('\n')).not.toContain('LDAP login failed');
  });

  it('escapes the name in a memberUid group filter: user "*" does not match every group', async () => {
    const posix = await startAuthAgent(
      ldapAuth({ groupSearchBase: `ou=posix,${suffix}`, groupFilter: '(memberUid={username})' }),
    );
    try {
      expect((await login(posix.url, 'alice', users.alice.password)).body).toMatchObject({
        role: 'operator',
      });
      expect((await login(posix.url, users.star.uid, users.star.password)).status).toBe(401);
    } finally {
      await posix.close();
    }
  });

  it('signs a name typed in another case in as the directory spells it; spaces at the ends are refused', async () => {
    for (const typed of ['ALICE', 'Alice']) {
      const signedIn = await login(agent.url, typed, users.alice.password);
      expect(signedIn).toMatchObject({ status: 200, body: { name: 'alice', role: 'operator' } });
      expect(await sessionOf(agent.url, signedIn.cookie)).toMatchObject({ name: 'alice' });
      expect(lastLogin(agent)).toMatchObject({ actor: 'alice', outcome: 'ok' });
    }
    for (const typed of ['alice ', 'alice    ', ' alice']) {
      const refused = await login(agent.url, typed, users.alice.password);
      expect([refused.status, refused.cookie]).toEqual([400, undefined]);
      expect(refused.body).toMatchObject({ error: { message: expect.stringMatching(/space/) } });
    }
  });

  it('counts every variant of a name against one limit: 10 attempts, not 10 per spelling', async () => {
    const limited = await startAuthAgent(ldapAuth());
    try {
      for (const typed of ['alice', 'ALICE', 'Alice', 'aLiCe', 'ALIce'])
        for (const attempt of [1, 2])
          expect((await login(limited.url, typed, `guess-${attempt}`)).status).toBe(401);
      expect((await login(limited.url, 'AlIcE', users.alice.password)).status).toBe(429);
      expect((await login(limited.url, 'bob', users.bob.password)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('refuses sign-in with a clear log line when the server cannot be reached', async () => {
    const url = `ldap://127.0.0.1:${await freePort()}`;
    const offline = await startAuthAgent(ldapAuth({ url }));
    try {
      expect((await login(offline.url, 'alice', users.alice.password)).status).toBe(401);
      expect(offline.logLines.join('\n')).toContain(`LDAP login failed at ${url}: connect ECONNREFUSED`);
      expect(lastLogin(offline)).toMatchObject({ actor: 'alice', outcome: 'denied' });
    } finally {
      await offline.close();
    }
  });
});

describe('LDAP login function', () => {
  const settings = (ldap: Record<string, unknown>) => authSchema.parse(ldapAuth(ldap));
  const create = (ldap: Record<string, unknown>, options: { ca?: string; timeoutMs?: number } = {}) => {
    const auth = settings(ldap);
    return createLdapLogin({
      auth: { ...auth, ldap: auth.ldap! },
      log: silentLogger,
      tls: options.ca ? { ca: options.ca } : undefined,
      timeoutMs: options.timeoutMs,
    });
  };

  it('upgrades with StartTLS, checking the server certificate', async () => {
    const trusted = create({ startTls: true }, { ca: slapd.certificate });
    expect(await trusted('alice', users.alice.password)).toMatchObject({ name: 'alice', role: 'operator' });
    await expect(create({ startTls: true })('alice', users.alice.password)).rejects.toThrow(/self-signed/);
  });

  it('gives up on a server that accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      const attempt = create({ url: `ldap://127.0.0.1:${port}` }, { timeoutMs: 300 });
      await expect(attempt('alice', users.alice.password)).rejects.toThrow(/LDAP login failed at/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
