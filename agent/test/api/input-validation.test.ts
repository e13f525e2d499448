import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  http,
  mutate,
  openWs,
  query,
  secrets,
  startTestApi,
  subscribe,
  trpcCode,
  type TestApi,
} from './api-harness.ts';

/**
 * What the API does with input it cannot use: malformed JSON and oversized bodies get clear 4xx
 * answers, bad fields a BAD_REQUEST that names the field, unknown procedures and routes 404. An
 * operator token is used throughout: these answers must not depend on being allowed.
 */
let api: TestApi;
const operator = bearer(secrets.operatorToken);

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

describe('malformed and oversized requests', () => {
  it('malformed JSON in a mutation body → 400 BAD_REQUEST', async () => {
    const result = await http(`${api.url}/api/trpc/runs.start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...operator },
      body: '{"target":',
    });
    expect(result.status).toBe(400);
    expect(trpcCode(result)).toBe('BAD_REQUEST');
    expect(result.body.error.message).toMatch(/JSON/);
  });

  it('malformed JSON in a query input → 400 BAD_REQUEST', async () => {
    const result = await http(`${api.url}/api/trpc/artifacts.list?input=%7Bnot-json`, { headers: operator });
    expect(result.status).toBe(400);
    expect(trpcCode(result)).toBe('BAD_REQUEST');
  });

  it('a body over 1 MiB → 413 PAYLOAD_TOO_LARGE, and the agent keeps serving', async () => {
    const result = await http(`${api.url}/api/trpc/runs.start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...operator },
      body: JSON.stringify({ target: 'x'.repeat((1 << 20) + 10) }),
    });
    expect(result.status).toBe(413);
    expect(trpcCode(result)).toBe('PAYLOAD_TOO_LARGE');
    expect((await query(api.url, 'targets.list', undefined, operator)).status).toBe(200);
  });

  it('a batch of more than 50 calls → 400, and one of 50 is answered', async () => {
    const batch = (calls: number): string =>
      `${api.url}/api/trpc/${Array(calls).fill('targets.list').join(',')}?batch=1&input=${encodeURIComponent('{}')}`;
    const tooMany = await http(batch(51), { headers: operator });
    expect(tooMany.status).toBe(400);
    const fifty = await http(batch(50), { headers: operator });
    expect(fifty.status).toBe(200);
    expect(fifty.body).toHaveLength(50);
  });

  it('an oversized login body → 400 with what to send', async () => {
    const result = await http(`${api.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'p'.repeat(100_000) }),
    });
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('INVALID_INPUT');
  });

  it('a WebSocket message over 1 MiB closes that socket (1009) and nothing else', async () => {
    const connection = await openWs(api.wsUrl, operator);
    const closed = new Promise<number>((resolve) => connection.socket.once('close', (code) => resolve(code)));
    connection.send({
      id: 1,
      method: 'mutation',
      params: { path: 'runs.start', input: { target: 'x'.repeat(1 << 20) } },
    });
    expect(await closed).toBe(1009);
    expect((await query(api.url, 'targets.list', undefined, operator)).status).toBe(200);
  });

  it('a WebSocket message that is not JSON gets a PARSE_ERROR', async () => {
    const connection = await openWs(api.wsUrl, operator);
    connection.socket.send('{nope');
    const answer = await connection.next(() => true);
    expect(trpcCode(answer)).toBe('PARSE_ERROR');
    await connection.close();
  });
});

describe('bad fields: BAD_REQUEST naming the field', () => {
  const cases: [string, 'query' | 'mutation', unknown, string][] = [
    ['runs.start', 'mutation', { target: '../x' }, 'target: is not a target name'],
    ['runs.start', 'mutation', {}, 'target: '],
    ['runs.start', 'mutation', { target: 'shop', extra: 1 }, '(input): Unrecognized key: "extra"'],
    ['artifacts.list', 'query', { limit: 100000 }, 'limit: Too big'],
    ['artifacts.list', 'query', { cursor: '../../etc/passwd' }, 'cursor: is not an artifact id'],
    ['artifacts.get', 'query', { id: 'x/../y' }, 'id: is not an artifact id'],
    ['artifacts.delete', 'mutation', { id: '2026-01-01T00-00-00Z_aaaaaaaaaa', storage: '../s' }, 'storage: '],
    ['runs.cancel', 'mutation', { runId: 'not-a-uuid' }, 'runId: Invalid UUID'],
    ['runs.list', 'query', { limit: 0 }, 'limit: Too small'],
    ['audit.list', 'query', { beforeSeq: 'x' }, 'beforeSeq: '],
    ['retention.applyNow', 'mutation', { target: 'Shop' }, 'target: is not a target name'],
  ];

  it.each(cases)('%s %s %j → %s', async (path, kind, input, message) => {
    const result =
      kind === 'query'
        ? await query(api.url, path, input, operator)
        : await mutate(api.url, path, input, operator);
    expect(result.status).toBe(400);
    expect(trpcCode(result)).toBe('BAD_REQUEST');
    expect(result.body.error.message.startsWith(message), result.body.error.message).toBe(true);
    expect(result.body.error.data.portYardCode).toBe('INVALID_INPUT');
    expect(result.body.error.data.issues[0].path).toBe(message.split(':')[0]);
  });

  it('a bad lastEventId on a subscription is refused the same way', async () => {
    const connection = await openWs(api.wsUrl, operator);
    const { first } = await subscribe(connection, 'runs.events', { lastEventId: '1; drop' });
    expect(trpcCode(first)).toBe('BAD_REQUEST');
    expect(first.error.message).toMatch(/^lastEventId: /);
    await connection.close();
  });

  it('bad input from someone not signed in is UNAUTHORIZED first: nothing about the schema leaks', async () => {
    const result = await mutate(api.url, 'runs.start', { target: '../x' });
    expect(trpcCode(result)).toBe('UNAUTHORIZED');
  });

  it('no stack traces in errors', async () => {
    const result = await mutate(api.url, 'runs.start', { target: '../x' }, operator);
    expect(result.text).not.toMatch(/at .*\.ts:\d+/);
    expect(result.body.error.data.stack).toBeUndefined();
  });
});

describe('unknown procedures and routes', () => {
  it('an unknown procedure → 404 NOT_FOUND', async () => {
    const result = await query(api.url, 'runs.nope', undefined, operator);
    expect(result.status).toBe(404);
    expect(trpcCode(result)).toBe('NOT_FOUND');
    expect(result.body.error.message).toMatch(/runs\.nope/);
    const post = await mutate(api.url, 'agent.shutdown', {}, operator);
    expect(post.status).toBe(404);
  });

  it('an unknown procedure over the WebSocket → NOT_FOUND', async () => {
    const connection = await openWs(api.wsUrl, operator);
    const { first } = await subscribe(connection, 'runs.nope', {});
    expect(trpcCode(first)).toBe('NOT_FOUND');
    await connection.close();
  });

  it('a mutation sent as GET → 405, so links and <img> tags cannot trigger it', async () => {
    const result = await query(api.url, 'runs.start', { target: 'shop' }, operator);
    expect(result.status).toBe(405);
    expect(api.daemon.registry.list()).toEqual([]);
  });

  it('an unknown /api route → 404 JSON, for GET and POST', async () => {
    for (const method of ['GET', 'POST']) {
      const result = await http(`${api.url}/api/nope`, { method, headers: operator });
      expect(result.status, method).toBe(404);
      expect(result.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('a WebSocket upgrade on another path is refused with 404', async () => {
    await expect(openWs(`${api.url.replace('http', 'ws')}/api/other`, operator)).rejects.toMatchObject({
      status: 404,
    });
  });
});
