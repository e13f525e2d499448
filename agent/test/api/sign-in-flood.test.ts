import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHashChecks } from '../../src/auth/hash-checks.ts';
import type * as PasswordHash from '../../src/auth/password-hash.ts';
import { bearer, login, query, secrets, startTestApi, trpcCode, type TestApi } from './api-harness.ts';

/**
 * A flood of sign-in attempts (new user names each time, random tokens, clients that hang up at
 * once) must not take the agent's threadpool: each address has a limit whatever the names,
 * hash checks run a few at a time with a short queue (503 past it), and a queued check whose
 * client left is dropped. Credentials verified minutes ago keep working throughout.
 */

// Every hash check counted, and held at a gate while a test needs checks to pile up.
const hashing = vi.hoisted(() => ({ checks: 0, gate: Promise.resolve() }));
vi.mock('../../src/auth/password-hash.ts', async (importOriginal) => {
  const original = await importOriginal<typeof PasswordHash>();
  return {
    ...original,
    verifySecret: async (hash: string, secret: string) => {
      hashing.checks += 1;
      await hashing.gate;
      return original.verifySecret(hash, secret);
    },
  };
});

/** Holds every hash check until the returned function is called (or the test ends). */
let openGate = (): void => undefined;
function closeGate(): () => void {
  hashing.gate = new Promise((resolve) => (openGate = resolve));
  return () => openGate();
}

let api: TestApi | undefined;
afterEach(async () => {
  openGate(); // a failed test must not leave checks (and the agent's close) waiting
  await api?.close();
  api = undefined;
});

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('sign-in floods', () => {
  it('limit failures per address whatever the user names, API tokens included', async () => {
    api = await startTestApi({ signIn: { limits: { perAddress: 4 } } });
    const { url } = api;
    expect((await query(url, 'agent.info', undefined, bearer(secrets.viewerToken))).status).toBe(200);
    expect((await query(url, 'agent.session', undefined, basic('mallory-1', 'x'))).status).toBe(401);
    expect((await login(url, 'mallory-2', 'x')).result.status).toBe(401);
    expect((await query(url, 'agent.info', undefined, bearer('pyt_guess_1'))).status).toBe(401);
    expect((await query(url, 'agent.info', undefined, bearer('pyt_guess_2'))).status).toBe(401);

    const fifth = await query(url, 'agent.session', undefined, basic('mallory-5', 'x'));
    expect([fifth.status, trpcCode(fifth), fifth.headers.get('retry-after')]).toEqual([
      429,
      'TOO_MANY_REQUESTS',
      '300',
    ]);
    expect((await login(url, 'mallory-6', 'x')).result.status).toBe(429);
    expect((await query(url, 'agent.info', undefined, bearer('pyt_guess_3'))).status).toBe(429);
    // a token not checked before waits like any guess; one verified minutes ago still works
    expect((await query(url, 'agent.info', undefined, bearer(secrets.operatorToken))).status).toBe(429);
    expect((await query(url, 'agent.info', undefined, bearer(secrets.viewerToken))).status).toBe(200);
  });

  it('run hash checks a few at a time, answer 503 past a short queue and drop checks for clients gone', async () => {
    const checks = createHashChecks({ concurrent: 1, queued: 1 });
    api = await startTestApi({ signIn: { hashChecks: checks } });
    const { url } = api;
    const signedIn = basic('alice', secrets.alicePassword);
    expect((await query(url, 'agent.session', undefined, signedIn)).status).toBe(200);

    const open = closeGate();
    hashing.checks = 0;
    const running = query(url, 'agent.session', undefined, basic('walter', 'x'));
    await vi.waitFor(() => expect(hashing.checks).toBe(1));
    const client = new AbortController();
    const leaving = fetch(`${url}/api/trpc/agent.session`, {
      headers: basic('xavier', 'x'),
      signal: client.signal,
    }).catch(() => 'hung up');
    await vi.waitFor(() => expect(checks.waiting).toBe(1));

    const busy = await query(url, 'agent.session', undefined, basic('yolanda', 'x'));
    expect([busy.status, trpcCode(busy), busy.headers.get('retry-after')]).toEqual([
      503,
      'SERVICE_UNAVAILABLE',
      '5',
    ]);
    expect(busy.body.error.message).toBe(
      'the agent is busy checking other sign-ins: try again in a few seconds',
    );
    const form = await login(url, 'yolanda', 'x');
    expect([form.result.status, form.result.headers.get('retry-after')]).toEqual([503, '5']);
    // a password verified minutes ago needs no check: it is answered at once
    expect((await query(url, 'agent.session', undefined, signedIn)).status).toBe(200);

    client.abort();
    expect(await leaving).toBe('hung up');
    await vi.waitFor(() => expect(checks.waiting).toBe(0));
    const queued = query(url, 'agent.session', undefined, basic('zoe', 'x'));
    await vi.waitFor(() => expect(checks.waiting).toBe(1));
    open();
    expect((await running).status).toBe(401);
    expect((await queued).status).toBe(401);
    // walter's and zoe's: xavier's was never checked
    expect(hashing.checks).toBe(2);
  });
});
