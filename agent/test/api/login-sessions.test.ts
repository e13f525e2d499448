import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  cookieHeader,
  http,
  login,
  mutate,
  query,
  secrets,
  startTestApi,
  trpcCode,
  type TestApi,
} from './api-harness.ts';

/**
 * Password sign-in (mode basic) over POST /api/auth/login: wrong passwords are refused and
 * audited, the session cookie is HttpOnly and SameSite=Strict, works for the API, ends at
 * logout, and guessing is rate limited (also through `Authorization: Basic` headers).
 */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

const auditEntries = async () =>
  (await query(api.url, 'audit.list', { limit: 1000 }, bearer(secrets.operatorToken))).body.result.data as {
    action: string;
    actor: string;
    outcome: string;
    details?: Record<string, unknown>;
  }[];

describe('signing in with a password', () => {
  it('a wrong password: 401, no cookie, audited as denied', async () => {
    const { result, session } = await login(api.url, 'alice', 'not-her-password');
    expect(result.status).toBe(401);
    expect(result.body.error).toMatchObject({ code: 'AUTH_FAILED', message: 'wrong user name or password' });
    expect(session).toBeUndefined();
    expect(result.headers.get('set-cookie')).toBeNull();
    const denied = (await auditEntries()).filter(
      (entry) => entry.action === 'login' && entry.actor === 'alice',
    );
    expect(denied.map((entry) => entry.outcome)).toEqual(['denied']);
  });

  it('an unknown user gets the same answer as a wrong password', async () => {
    const { result } = await login(api.url, 'mallory', 'whatever');
    expect(result.status).toBe(401);
    expect(result.body.error.message).toBe('wrong user name or password');
  });

  it('a malformed login body: 400 with what to send', async () => {
    const result = await http(`${api.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(result.status).toBe(400);
    expect(result.body.error.message).toMatch(/username.*password/);
  });

  it('the right password: an HttpOnly, SameSite=Strict session cookie (no Secure over http) that works for the API', async () => {
    const { result, session } = await login(api.url, 'alice', secrets.alicePassword);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ name: 'alice', role: 'operator' });
    const cookie = result.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^py_session=[A-Za-z0-9_-]{43}; /);
    const attributes = cookie.split('; ').slice(1);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
    expect(attributes).not.toContain('Secure');
    expect(result.body.session).toBeUndefined();

    const me = await query(api.url, 'agent.session', undefined, cookieHeader(session!));
    expect(me.body.result.data.identity).toEqual({ name: 'alice', role: 'operator', kind: 'user' });
    const info = await query(api.url, 'agent.info', undefined, cookieHeader(session!));
    expect(info.status).toBe(200);
    // an operator session may change things (no Origin: a non-browser client)
    const started = await mutate(api.url, 'runs.start', { target: 'shop' }, cookieHeader(session!));
    expect(started.status).toBe(200);

    const audit = (await auditEntries()).find((entry) => entry.action === 'login' && entry.outcome === 'ok');
    expect(audit).toMatchObject({ actor: 'alice', details: { role: 'operator' } });
    const run = (await auditEntries()).find((entry) => entry.action === 'run.start');
    expect(run).toMatchObject({ actor: 'alice', outcome: 'ok' });
  });

  it('a viewer session sees but may not change anything', async () => {
    const { session } = await login(api.url, 'victor', secrets.victorPassword);
    expect((await query(api.url, 'targets.list', undefined, cookieHeader(session!))).status).toBe(200);
    const refused = await mutate(api.url, 'runs.start', { target: 'shop' }, cookieHeader(session!));
    expect(refused.status).toBe(403);
    expect(trpcCode(refused)).toBe('FORBIDDEN');
  });

  it('logout ends the session and clears the cookie', async () => {
    const { session } = await login(api.url, 'alice', secrets.alicePassword);
    const out = await http(`${api.url}/api/auth/logout`, { method: 'POST', headers: cookieHeader(session!) });
    expect(out.status).toBe(200);
    const cleared = out.headers.get('set-cookie')!;
    expect(cleared).toMatch(/^py_session=; /);
    expect(cleared).toContain('Max-Age=0');
    expect(cleared).toContain('HttpOnly');
    const after = await query(api.url, 'agent.info', undefined, cookieHeader(session!));
    expect(after.status).toBe(401);
    expect(trpcCode(after)).toBe('UNAUTHORIZED');
    expect((await auditEntries()).some((entry) => entry.action === 'logout' && entry.actor === 'alice')).toBe(
      true,
    );
  });

  it('a made-up session id is just "not signed in"', async () => {
    const result = await query(api.url, 'agent.info', undefined, cookieHeader('A'.repeat(43)));
    expect(trpcCode(result)).toBe('UNAUTHORIZED');
  });

  it('the 11th attempt within 5 minutes is refused with 429, even with the right password', async () => {
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 10; attempt++)
      statuses.push((await login(api.url, 'victor', `guess-${attempt}`)).result.status);
    expect(statuses).toEqual(Array(10).fill(401));
    const eleventh = await login(api.url, 'victor', secrets.victorPassword);
    expect(eleventh.result.status).toBe(429);
    expect(eleventh.result.headers.get('retry-after')).toBe('300');
    expect(eleventh.session).toBeUndefined();
    const limited = (await auditEntries()).filter(
      (entry) => entry.action === 'login' && entry.details?.reason === 'rate limited',
    );
    expect(limited).toHaveLength(1);
  });

  it('a burst of parallel guesses gets no more tries than a sequence', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, attempt) => login(api.url, 'eve', `burst-${attempt}`)),
    );
    const statuses = results.map(({ result }) => result.status).sort();
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(10).fill(429)]);
  });

  it('signing in often never locks a user out: a success clears the failures', async () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      expect((await login(api.url, 'alice', `typo-${attempt}`)).result.status).toBe(401);
      expect((await login(api.url, 'alice', secrets.alicePassword)).result.status).toBe(200);
    }
  });

  it('Authorization: Basic works for the API, and guessing through it is rate limited too', async () => {
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    });
    const ok = await query(api.url, 'agent.session', undefined, basic('alice', secrets.alicePassword));
    expect(ok.body.result.data.identity).toMatchObject({ name: 'alice', role: 'operator' });
    for (let attempt = 1; attempt <= 10; attempt++) {
      const wrong = await query(api.url, 'agent.session', undefined, basic('alice', `guess-${attempt}`));
      expect(wrong.status).toBe(401);
    }
    const eleventh = await query(api.url, 'agent.session', undefined, basic('alice', 'guess-11'));
    expect(eleventh.status).toBe(429);
    expect(trpcCode(eleventh)).toBe('TOO_MANY_REQUESTS');
    // even the right password waits, like the login form
    const right = await query(api.url, 'agent.session', undefined, basic('alice', secrets.alicePassword));
    expect(right.status).toBe(429);
    // other users and tokens are not affected
    expect((await query(api.url, 'agent.info', undefined, bearer(secrets.viewerToken))).status).toBe(200);
  });

  it('the login form and Authorization: Basic share one count: 10 attempts in all, not 10 each', async () => {
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    });
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await login(api.url, 'trudy', `form-${attempt}`)).result.status).toBe(401);
      expect(
        (await query(api.url, 'agent.session', undefined, basic('trudy', `api-${attempt}`))).status,
      ).toBe(401);
    }
    expect((await login(api.url, 'trudy', 'form-11')).result.status).toBe(429);
    expect((await query(api.url, 'agent.session', undefined, basic('trudy', 'api-11'))).status).toBe(429);
  });
});
