import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxSessionsPerUser } from '../../src/auth/sessions.ts';
import { cookieHeader, login, query, secrets, startTestApi, type TestApi } from './api-harness.ts';

/**
 * A signed-in user cannot fill the agent's memory with sessions by signing in again and again:
 * past `maxSessionsPerUser`, each sign-in ends that user's oldest session.
 */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

const identityOf = async (session: string) =>
  (await query(api.url, 'agent.session', undefined, cookieHeader(session))).body.result.data.identity;

describe('sessions per user', () => {
  it(`keeps the newest ${maxSessionsPerUser} of a user's sessions and ends older ones`, async () => {
    const sessions: string[] = [];
    for (let index = 0; index <= maxSessionsPerUser; index++) {
      const { result, session } = await login(api.url, 'alice', secrets.alicePassword);
      expect(result.status).toBe(200);
      sessions.push(session!);
    }
    const victor = (await login(api.url, 'victor', secrets.victorPassword)).session!;
    expect(await identityOf(sessions[0]!)).toBeNull();
    expect(await identityOf(sessions[1]!)).toMatchObject({ name: 'alice' });
    expect(await identityOf(sessions.at(-1)!)).toMatchObject({ name: 'alice' });
    expect(await identityOf(victor)).toMatchObject({ name: 'victor' });
  });
});
