import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basicAuth,
  bearer,
  cookieHeader,
  http,
  login,
  mutate,
  openWs,
  procedureKinds,
  query,
  secrets,
  startTestApi,
  subscribe,
  type HttpResult,
  type TestApi,
} from './api-harness.ts';

/**
 * Tokens, passwords and their hashes never come back: not in any API response (every query
 * answered for an operator, errors included), not in the audit log, not in the log lines. A
 * viewer sees the config, but not the hashes or the OIDC client secret in it.
 */
const oidcClientSecret = `oidc-secret-${randomUUID()}`;
const wrongToken = `pyt_wrong_${randomUUID()}`;
const wrongPassword = `wrong-password-${randomUUID()}`;
let api: TestApi;
let forbidden: string[];
const seen: string[] = [];

const record = (result: HttpResult): HttpResult => {
  seen.push(result.text, JSON.stringify([...result.headers.entries()]));
  return result;
};

beforeAll(async () => {
  const auth = await basicAuth();
  api = await startTestApi({
    auth: {
      ...auth,
      oidc: {
        issuer: 'https://id.example/realms/port-yard',
        clientId: 'port-yard',
        clientSecret: oidcClientSecret,
      },
    },
  });
  forbidden = [
    ...Object.values(secrets),
    ...auth.users!.map((user) => user.passwordHash),
    ...auth.tokens!.map((token) => token.tokenHash),
    oidcClientSecret,
    wrongToken,
    wrongPassword,
  ];
  await api.putArtifact();
});

afterAll(async () => {
  await api?.close();
});

describe('secrets never echoed', () => {
  it('agent.info shows the config to a viewer with every hash and secret redacted', async () => {
    const info = record(await query(api.url, 'agent.info', undefined, bearer(secrets.viewerToken)));
    expect(info.status).toBe(200);
    const auth = info.body.result.data.config.auth;
    expect(auth.users).toEqual([
      { username: 'alice', passwordHash: '<redacted>', role: 'operator' },
      { username: 'victor', passwordHash: '<redacted>', role: 'viewer' },
    ]);
    expect(auth.tokens.map((token: { tokenHash: string }) => token.tokenHash)).toEqual([
      '<redacted>',
      '<redacted>',
    ]);
    expect(auth.oidc.clientSecret).toBe('<redacted>');
    expect(auth.oidc.clientId).toBe('port-yard');
  });

  it('every answer to every caller, errors included, is free of them', async () => {
    // sign-ins, right and wrong, by form and by header
    record((await login(api.url, 'alice', wrongPassword)).result);
    const { result, session } = await login(api.url, 'alice', secrets.alicePassword);
    record(result);
    const basic = `Basic ${Buffer.from(`victor:${secrets.victorPassword}`).toString('base64')}`;
    const wrongBasic = `Basic ${Buffer.from(`victor:${wrongPassword}`).toString('base64')}`;
    const callers = [
      bearer(secrets.operatorToken),
      bearer(secrets.viewerToken),
      bearer(wrongToken),
      cookieHeader(session!),
      { authorization: basic },
      { authorization: wrongBasic },
      {},
    ];
    const queries = Object.entries(procedureKinds())
      .filter(([, kind]) => kind === 'query')
      .map(([path]) => path);
    const inputs: Record<string, unknown> = {
      'targets.get': { target: 'shop' },
      'retention.plan': { target: 'shop' },
      'runs.get': { runId: randomUUID() },
      'artifacts.get': { id: '2020-01-01T00-00-00Z_aaaaaaaaaa' },
    };
    for (const headers of callers) {
      for (const path of queries) record(await query(api.url, path, inputs[path], headers));
      record(await mutate(api.url, 'runs.start', { target: 'shop' }, headers));
      record(await mutate(api.url, 'agent.reloadConfig', undefined, headers));
      record(await http(`${api.url}/`, { headers }));
      record(await http(`${api.url}/api/nope`, { headers }));
    }
    record(await http(`${api.url}/api/auth/logout`, { method: 'POST', headers: cookieHeader(session!) }));

    // the WebSocket, with a right and a wrong token
    for (const headers of [bearer(secrets.viewerToken), bearer(wrongToken)]) {
      const connection = await openWs(api.wsUrl, headers);
      await subscribe(connection, 'runs.events', { lastEventId: '0' }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await connection.close();
      seen.push(JSON.stringify(connection.messages));
    }

    expect(seen.length).toBeGreaterThan(100);
    const everything = seen.join('\n');
    for (const secret of forbidden)
      expect(everything.includes(secret), `an answer contains ${secret.slice(0, 14)}…`).toBe(false);
  });

  it('the audit log holds no secret, not even a wrong password', async () => {
    const audit = await query(api.url, 'audit.list', { limit: 1000 }, bearer(secrets.operatorToken));
    expect(audit.body.result.data.length).toBeGreaterThan(2);
    for (const secret of forbidden) expect(audit.text.includes(secret)).toBe(false);
  });

  it('the log lines hold no secret', () => {
    expect(api.log.lines.length).toBeGreaterThan(0);
    const everything = api.log.lines.join('\n');
    for (const secret of forbidden) expect(everything.includes(secret), secret.slice(0, 14)).toBe(false);
  });
});
