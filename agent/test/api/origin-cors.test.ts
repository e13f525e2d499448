import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  cookieHeader,
  http,
  login,
  mutate,
  openWs,
  query,
  secrets,
  startTestApi,
  subscribe,
  type TestApi,
} from './api-harness.ts';

/**
 * Cross-site request forgery: a browser page on another origin must not change anything even
 * when the browser holds a valid session cookie, nor open the WebSocket. The agent's own origin
 * and the configured `server.allowedOrigins` may (with CORS headers for the latter).
 */
const console = 'http://console.example:5173';
let api: TestApi;
let session: string;
let own: string;

beforeAll(async () => {
  api = await startTestApi({ server: { allowedOrigins: [console] } });
  own = new URL(api.url).origin;
  session = (await login(api.url, 'alice', secrets.alicePassword)).session!;
});

afterAll(async () => {
  await api?.close();
});

describe('a foreign origin', () => {
  it('a mutation with Origin: http://evil.example → 403, even with a valid cookie; nothing happens', async () => {
    const result = await mutate(
      api.url,
      'runs.start',
      { target: 'shop' },
      {
        ...cookieHeader(session),
        origin: 'http://evil.example',
      },
    );
    expect(result.status).toBe(403);
    expect(result.body.error.message).toBe('origin http://evil.example is not allowed');
    expect(result.headers.get('access-control-allow-origin')).toBeNull();
    expect(api.daemon.registry.list()).toEqual([]);
  });

  it('a foreign origin cannot sign in or out either', async () => {
    const signIn = await http(`${api.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ username: 'alice', password: secrets.alicePassword }),
    });
    expect(signIn.status).toBe(403);
    expect(signIn.headers.get('set-cookie')).toBeNull();
    const signOut = await http(`${api.url}/api/auth/logout`, {
      method: 'POST',
      headers: { ...cookieHeader(session), origin: 'http://evil.example' },
    });
    expect(signOut.status).toBe(403);
    expect((await query(api.url, 'agent.info', undefined, cookieHeader(session))).status).toBe(200);
  });

  it('an origin that only looks like ours (other port, other scheme, a suffix) is foreign', async () => {
    const port = Number(new URL(api.url).port);
    for (const origin of [
      `http://127.0.0.1:${port + 1}`,
      `${own}.evil.example`,
      'null',
      `http://localhost:${port}`,
    ]) {
      const result = await mutate(
        api.url,
        'runs.start',
        { target: 'shop' },
        { ...cookieHeader(session), origin },
      );
      expect(result.status, origin).toBe(403);
    }
  });

  it('a WebSocket upgrade with a foreign Origin is refused with 403', async () => {
    await expect(
      openWs(api.wsUrl, { ...cookieHeader(session), origin: 'http://evil.example' }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      openWs(api.wsUrl, { ...bearer(secrets.operatorToken), origin: 'http://evil.example' }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it('a preflight from a foreign origin gets no CORS headers', async () => {
    const result = await http(`${api.url}/api/trpc/runs.start`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(result.status).toBe(204);
    expect(result.headers.get('access-control-allow-origin')).toBeNull();
    expect(result.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('a query (GET) from a foreign page gets no CORS headers, so the page cannot read it', async () => {
    const result = await query(api.url, 'targets.list', undefined, {
      ...cookieHeader(session),
      origin: 'http://evil.example',
    });
    expect(result.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('our own origin and the allowed ones', () => {
  it('same origin: mutations and the WebSocket are allowed', async () => {
    const result = await mutate(
      api.url,
      'runs.start',
      { target: 'shop' },
      { ...cookieHeader(session), origin: own },
    );
    expect(result.status).toBe(200);
    const connection = await openWs(api.wsUrl, { ...cookieHeader(session), origin: own });
    const { first } = await subscribe(connection, 'runs.events', {});
    expect(first.result.type).toBe('started');
    await connection.close();
  });

  it('an allowed origin: allowed, with CORS headers', async () => {
    const result = await mutate(api.url, 'agent.reloadConfig', undefined, {
      ...bearer(secrets.operatorToken),
      origin: console,
    });
    expect(result.status).toBe(200);
    expect(result.headers.get('access-control-allow-origin')).toBe(console);
    expect(result.headers.get('access-control-allow-credentials')).toBe('true');
    expect(result.headers.get('vary')).toMatch(/Origin/);
    const connection = await openWs(api.wsUrl, { ...bearer(secrets.viewerToken), origin: console });
    expect((await subscribe(connection, 'targets.changes', {})).first.result.type).toBe('started');
    await connection.close();
  });

  it('a preflight from an allowed origin → 204 with the allow headers', async () => {
    const result = await http(`${api.url}/api/trpc/runs.start`, {
      method: 'OPTIONS',
      headers: {
        origin: console,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(result.status).toBe(204);
    expect(result.headers.get('access-control-allow-origin')).toBe(console);
    expect(result.headers.get('access-control-allow-credentials')).toBe('true');
    expect(result.headers.get('access-control-allow-methods')).toMatch(/POST/);
    const allowed = result.headers.get('access-control-allow-headers')!.split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type']));
  });

  it('no Origin at all (curl, the desktop app): allowed, authenticated by its token', async () => {
    const result = await mutate(api.url, 'agent.reloadConfig', undefined, bearer(secrets.operatorToken));
    expect(result.status).toBe(200);
  });
});
