import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { secrets, startTestApi, type TestApi } from '../api/api-harness.ts';
import { rawGet } from './download-fixture.ts';

/**
 * DNS rebinding against a real agent in auth mode none (everyone a viewer, the example config's
 * setting): a page whose name was pointed at this machine sends its own name as Host. Such a
 * request must not list or download anything; names the agent knows, IP addresses, bearer tokens
 * and the probes still work.
 */
let open: TestApi;
let basic: TestApi;
let artifactId: string;

/** GET `path` with the Host header `host`. */
const get = (url: string, path: string, host: string, headers: Record<string, string> = {}) =>
  rawGet(url, path, { ...headers, host });

/** A WebSocket upgrade's status line. */
function upgrade(url: string, host: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/api/trpc`, {
      headers: {
        ...headers,
        host,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
      },
    });
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(`${response.statusCode}`);
    });
    request.on('response', (response) => {
      response.resume();
      resolve(`${response.statusCode}`);
    });
    request.on('error', (error) =>
      error.message.includes('socket hang up') ? resolve('closed') : reject(error),
    );
    request.end();
  });
}

beforeAll(async () => {
  open = await startTestApi({
    auth: { mode: 'none', anonymousRole: 'viewer' },
    server: { allowedHosts: ['port-yard', '.example.lan'], publicUrl: 'https://backups.example.com' },
  });
  artifactId = (await open.putArtifact()).artifactId;
  basic = await startTestApi();
});

afterAll(async () => {
  await open?.close();
  await basic?.close();
});

describe('the Host header (DNS rebinding)', () => {
  it('a foreign name gets 403 and nothing else: no API answer, no download, no console', async () => {
    const port = new URL(open.url).port;
    for (const path of ['/api/trpc/artifacts.list', `/api/artifacts/${artifactId}/download`, '/']) {
      const response = await get(open.url, path, `rebind.evil.example:${port}`);
      expect(response.status, path).toBe(403);
      expect(JSON.parse(response.body).error.message).toMatch(
        /^host rebind\.evil\.example is not allowed: add it to server\.allowedHosts/,
      );
      expect(response.body).not.toContain(artifactId);
    }
    expect(await upgrade(open.url, `rebind.evil.example:${port}`)).not.toBe('101');
  });

  it('IP addresses, localhost, the publicUrl host and allowedHosts are answered', async () => {
    const port = new URL(open.url).port;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'backups.example.com',
      `port-yard:${port}`,
      'nas.example.lan',
    ]) {
      const response = await get(open.url, `/api/artifacts/${artifactId}/download`, host);
      expect(response.status, host).toBe(200);
    }
    expect(await upgrade(open.url, `localhost:${port}`)).toBe('101');
  });

  it('the probes answer any name; so does a request with a bearer token, which is checked as always', async () => {
    for (const path of ['/healthz', '/metrics'])
      expect((await get(open.url, path, 'svc.cluster.local')).status).toBe(200);
    const withToken = await get(basic.url, '/api/trpc/agent.info', 'nas.lan:8420', {
      authorization: `Bearer ${secrets.viewerToken}`,
    });
    expect(withToken.status).toBe(200);
    const wrongToken = await get(basic.url, '/api/trpc/agent.info', 'nas.lan:8420', {
      authorization: 'Bearer pyt_not_a_token',
    });
    expect(wrongToken.status).toBe(401);
    // Basic credentials do not lift the check (in mode none they would not even be checked).
    const withBasic = await get(open.url, '/api/trpc/agent.info', 'nas.lan', {
      authorization: `Basic ${Buffer.from('x:y').toString('base64')}`,
    });
    expect(withBasic.status).toBe(403);
  });

  // What only looks like a bearer token (a tab after the scheme, no token at all) was read as no
  // credential, which mode none serves as anonymous: past the host check, a rebound page could
  // list, download and (an operator anonymousRole) change. A browser keeps the tab.
  it('something that only looks like a bearer token does not lift the check', async () => {
    const port = new URL(open.url).port;
    const host = `rebind.evil.example:${port}`;
    for (const authorization of ['Bearer\tx', 'Bearer\t', 'Bearer', 'Bearer ', 'bearer\t\t']) {
      for (const path of ['/api/trpc/artifacts.list', `/api/artifacts/${artifactId}/download`]) {
        const response = await get(open.url, path, host, { authorization });
        // 403 for the host, or (`Bearer<TAB>x`: a token, read as one) 401 for the token: refused.
        expect([401, 403], `${JSON.stringify(authorization)} ${path}`).toContain(response.status);
        expect(response.body).not.toContain(artifactId);
      }
      // (A token, even a wrong one, opens the socket, whose every call is then refused: 401.)
      if (!/\S\s+\S/.test(authorization))
        expect(await upgrade(open.url, host, { authorization })).not.toBe('101');
    }
    // A token after a tab is read as a token, and checked as always.
    const tabbed = await get(basic.url, '/api/trpc/agent.info', 'nas.lan:8420', {
      authorization: `Bearer\t${secrets.viewerToken}`,
    });
    expect(tabbed.status).toBe(200);
  });

  it('a bad allowedHosts entry is a config error naming the field', () => {
    const result = configSchema.safeParse({
      version: 1,
      server: { allowedHosts: ['https://backups.example.com'] },
      storages: {},
      targets: {},
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({
      path: ['server', 'allowedHosts', 0],
      message: expect.stringContaining('must be a host name'),
    });
  });
});
