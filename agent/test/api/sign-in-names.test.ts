import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, query, secrets, startTestApi, type TestApi } from './api-harness.ts';

/**
 * Mode basic: a user name counts against the sign-in limit in its canonical form (any case, no
 * surrounding spaces), so spelling a name another way gets no fresh attempts; a name with
 * spaces at either end is refused outright.
 */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('user names at sign-in', () => {
  it('refuses spaces at either end, on the login form (400) and in HTTP Basic (401)', async () => {
    for (const typed of ['alice ', ' alice', 'alice    ']) {
      const form = await login(api.url, typed, secrets.alicePassword);
      expect(form.result.status).toBe(400);
      expect(form.result.body.error.message).toBe('a user name must not start or end with a space');
      const header = await query(api.url, 'agent.session', undefined, basic(typed, secrets.alicePassword));
      expect(header.status).toBe(401);
      expect(header.body.error.message).toBe('a user name must not start or end with a space');
    }
  });

  it('counts ALICE, Alice and alice as one user: the 11th attempt is refused, whatever the case', async () => {
    for (const typed of ['ALICE', 'Alice', 'aLICE', 'alicE', 'ALIce']) {
      expect((await login(api.url, typed, 'guess')).result.status).toBe(401);
      expect((await query(api.url, 'agent.session', undefined, basic(typed, 'guess'))).status).toBe(401);
    }
    expect((await login(api.url, 'alice', secrets.alicePassword)).result.status).toBe(429);
    expect((await login(api.url, 'victor', secrets.victorPassword)).result.status).toBe(200);
  });
});
