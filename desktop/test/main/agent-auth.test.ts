import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, openWs, secrets, startTestApi, type TestApi } from '../../../agent/test/api/api-harness.ts';
import { withAgentAuth, withAgentCors, type AuthContext } from '../../src/main/auth-headers.ts';

/**
 * What the session hooks do to the renderer's requests, replayed against a real agent: the
 * headers a sandboxed page at app://port-yard would send, before and after the hook.
 */
let api: TestApi;
let context: AuthContext;
const appOrigin = 'app://port-yard';

beforeAll(async () => {
  api = await startTestApi();
  context = { appOrigin, agents: [{ url: api.url, token: secrets.operatorToken }] };
});
afterAll(() => api?.close());

const hooked = (url: string, headers: Record<string, string>): Record<string, string> =>
  withAgentAuth({ url, headers }, context) ?? headers;

describe('the token hook against a real agent', () => {
  it('signs the app’s queries in with the token from the keychain', async () => {
    const url = `${api.url}/api/trpc/agent.session`;
    const bare = await http(url, { headers: { origin: appOrigin } });
    expect(bare.body.result.data.identity).toBeNull();
    const signed = await http(url, { headers: hooked(url, { origin: appOrigin }) });
    expect(signed.body.result.data.identity).toEqual({
      name: 'ci-operator',
      role: 'operator',
      kind: 'token',
    });
    // The answer gets CORS for the app, which the agent itself does not grant.
    expect(signed.headers.get('access-control-allow-origin')).toBeNull();
    const cors = withAgentCors({ url, method: 'GET', headers: {} }, context);
    expect(cors?.['Access-Control-Allow-Origin']).toEqual([appOrigin]);
  });

  it('lets the app’s mutations past the agent’s origin check', async () => {
    const url = `${api.url}/api/trpc/agent.reloadConfig`;
    const headers = { origin: appOrigin, 'content-type': 'application/json' };
    const refused = await http(url, { method: 'POST', headers, body: '' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(`origin ${appOrigin} is not allowed`);
    const done = await http(url, { method: 'POST', headers: hooked(url, headers), body: '' });
    expect(done.status).toBe(200);
    expect(api.reloads()).toBe(1);
  });

  it('authenticates the WebSocket upgrade', async () => {
    const url = api.wsUrl;
    await expect(openWs(url, { origin: appOrigin })).rejects.toMatchObject({ status: 403 });
    const connection = await openWs(url, hooked(url, { origin: appOrigin }));
    try {
      connection.send({ id: 1, method: 'query', params: { path: 'agent.session' } });
      const answer = await connection.next((message) => message.id === 1);
      expect(answer.result.data.identity.name).toBe('ci-operator');
    } finally {
      await connection.close();
    }
  });
});
