import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cookieHeader,
  http,
  login,
  openWs,
  secrets,
  startTestApi,
  subscribe,
  trpcCode,
  type TestApi,
} from './api-harness.ts';

/**
 * A WebSocket is signed in once, at the upgrade. When the session it was opened with ends
 * (logout, or its TTL), the connection must not stay signed in: no more calls, no more events.
 */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

let nextId = 1_000;
async function call(
  connection: Awaited<ReturnType<typeof openWs>>,
  method: 'query' | 'mutation',
  path: string,
  input?: unknown,
) {
  const id = nextId++;
  connection.send({ id, method, params: { path, input } });
  return connection.next((message) => message.id === id);
}

describe('a WebSocket opened with a session cookie', () => {
  it('works while the session lives, and is refused (and its subscriptions end) after logout', async () => {
    const { session } = await login(api.url, 'alice', secrets.alicePassword);
    const connection = await openWs(api.wsUrl, cookieHeader(session!));
    try {
      const before = await call(connection, 'query', 'agent.info');
      expect(before.result?.data?.version).toBeDefined();
      const { first } = await subscribe(connection, 'runs.events', {});
      expect(first.result?.type).toBe('started');

      const out = await http(`${api.url}/api/auth/logout`, {
        method: 'POST',
        headers: cookieHeader(session!),
      });
      expect(out.status).toBe(200);

      const after = await call(connection, 'query', 'agent.info');
      expect(trpcCode(after)).toBe('UNAUTHORIZED');
      const mutation = await call(connection, 'mutation', 'runs.start', { target: 'shop' });
      expect(trpcCode(mutation)).toBe('UNAUTHORIZED');
      // the subscription opened before the logout ends too (the socket is closed)
      await expect
        .poll(() => connection.socket.readyState, { timeout: 10_000, interval: 100 })
        .toBe(connection.socket.CLOSED);
    } finally {
      await connection.close();
    }
  });
});

describe('a subscription over HTTP (server-sent events) opened with a session cookie', () => {
  it('ends when the session ends', async () => {
    const { session } = await login(api.url, 'alice', secrets.alicePassword);
    const input = encodeURIComponent(JSON.stringify({}));
    const controller = new AbortController();
    const response = await fetch(`${api.url}/api/trpc/runs.events?input=${input}`, {
      headers: { ...cookieHeader(session!), accept: 'text/event-stream' },
      signal: controller.signal,
    });
    try {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.getReader();
      await reader.read();
      const ended = (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })().catch(() => 'broke off');
      await http(`${api.url}/api/auth/logout`, { method: 'POST', headers: cookieHeader(session!) });
      const outcome = await Promise.race([
        ended,
        new Promise((resolve) => setTimeout(() => resolve('still open'), 5_000)),
      ]);
      expect(outcome).not.toBe('still open');
    } finally {
      controller.abort();
    }
  });
});
