import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  mutate,
  openWs,
  procedureKinds,
  query,
  secrets,
  startTestApi,
  subscribe,
  trpcCode,
  type ProcedureKind,
  type TestApi,
} from './api-harness.ts';

/**
 * Every procedure of the API, called over real HTTP (queries: GET, mutations: POST) and
 * WebSocket (subscriptions, the token on the upgrade request) by four callers: nobody, a wrong
 * token, a viewer token, an operator token. The table is the specification: a procedure added to
 * the router without a row here fails the first test.
 */
type Access = 'public' | 'viewer' | 'operator';
type Kind = ProcedureKind;

interface Row {
  readonly kind: Kind;
  readonly access: Access;
  /** The input to send (called when the test runs: it may use the fake artifacts). */
  readonly input?: () => unknown;
  /** The domain answer an operator gets, when it is not OK or NOT_FOUND. */
  readonly operatorAnswer?: string;
}

let api: TestApi;
let kept: string; // an artifact for get/pin/unpin
let doomed: string; // an artifact only the operator's delete may remove

const procedures: Record<string, Row> = {
  'agent.session': { kind: 'query', access: 'public' },
  'agent.info': { kind: 'query', access: 'viewer' },
  'agent.reloadConfig': { kind: 'mutation', access: 'operator' },
  'targets.list': { kind: 'query', access: 'viewer' },
  'targets.get': { kind: 'query', access: 'viewer', input: () => ({ target: 'shop' }) },
  'targets.changes': { kind: 'subscription', access: 'viewer', input: () => ({}) },
  'artifacts.list': { kind: 'query', access: 'viewer', input: () => ({ limit: 10 }) },
  'artifacts.get': { kind: 'query', access: 'viewer', input: () => ({ id: kept }) },
  'artifacts.verification': { kind: 'query', access: 'viewer', input: () => ({ id: kept }) },
  // The test target has no verify.server: the operator gets past the role check to that answer.
  'artifacts.verify': {
    kind: 'mutation',
    access: 'operator',
    input: () => ({ id: kept }),
    operatorAnswer: 'BAD_REQUEST',
  },
  // The fake artifacts are MariaDB dumps of a PostgreSQL target: refused after the role check.
  'artifacts.restorePlan': {
    kind: 'query',
    access: 'operator',
    input: () => ({ id: kept }),
    operatorAnswer: 'BAD_REQUEST',
  },
  'artifacts.restore': {
    kind: 'mutation',
    access: 'operator',
    input: () => ({ id: kept, confirm: 'py_t_api_missing' }),
    operatorAnswer: 'BAD_REQUEST',
  },
  'artifacts.pin': { kind: 'mutation', access: 'operator', input: () => ({ id: kept }) },
  'artifacts.unpin': { kind: 'mutation', access: 'operator', input: () => ({ id: kept }) },
  'artifacts.delete': { kind: 'mutation', access: 'operator', input: () => ({ id: doomed }) },
  'runs.list': { kind: 'query', access: 'viewer', input: () => ({}) },
  'runs.get': { kind: 'query', access: 'viewer', input: () => ({ runId: randomUUID() }) },
  'runs.start': { kind: 'mutation', access: 'operator', input: () => ({ target: 'shop' }) },
  'runs.cancel': { kind: 'mutation', access: 'operator', input: () => ({ runId: randomUUID() }) },
  'runs.events': { kind: 'subscription', access: 'viewer', input: () => ({}) },
  'retention.plan': { kind: 'query', access: 'viewer', input: () => ({ target: 'shop' }) },
  'retention.applyNow': { kind: 'mutation', access: 'operator', input: () => ({ target: 'shop' }) },
  'audit.list': { kind: 'query', access: 'operator', input: () => ({ limit: 5 }) },
  'sandboxes.list': { kind: 'query', access: 'viewer' },
  // The test target has no sandbox config: the operator gets past the role check to that answer.
  'sandboxes.create': {
    kind: 'mutation',
    access: 'operator',
    input: () => ({ artifactId: kept }),
    operatorAnswer: 'BAD_REQUEST',
  },
  'sandboxes.extend': {
    kind: 'mutation',
    access: 'operator',
    input: () => ({ id: 'py_sbx_0000000000', ttl: '1h' }),
  },
  'sandboxes.destroy': { kind: 'mutation', access: 'operator', input: () => ({ id: 'py_sbx_0000000000' }) },
  'notifications.recent': { kind: 'query', access: 'viewer', input: () => ({ limit: 10 }) },
  // The test config has no notification channels: the operator gets past the role check to that answer.
  'notifications.test': { kind: 'mutation', access: 'operator', input: () => ({ channel: 'ops' }) },
};

/** Calls one procedure the way a client would; resolves with the tRPC error code or 'OK'. */
async function call(path: string, headers: Record<string, string>): Promise<string> {
  const row = procedures[path]!;
  const input = row.input?.();
  if (row.kind === 'subscription') {
    const connection = await openWs(api.wsUrl, headers);
    try {
      const { first } = await subscribe(connection, path, input);
      if (first.result?.type === 'started') return 'OK';
      return trpcCode(first) ?? `unexpected ${JSON.stringify(first)}`;
    } finally {
      await connection.close();
    }
  }
  const result =
    row.kind === 'query'
      ? await query(api.url, path, input, headers)
      : await mutate(api.url, path, input, headers);
  const code = trpcCode(result);
  if (code === undefined) {
    expect(result.status, `${path}: ${result.text}`).toBe(200);
    return 'OK';
  }
  return code;
}

/** The same call over the WebSocket (tRPC also takes queries and mutations there). */
async function callOverWs(path: string, headers: Record<string, string>): Promise<string> {
  const row = procedures[path]!;
  const connection = await openWs(api.wsUrl, headers);
  try {
    const id = Math.floor(Math.random() * 1e9);
    connection.send({ id, method: row.kind, params: { path, input: row.input?.() } });
    const answer = await connection.next((message) => message.id === id);
    return trpcCode(answer) ?? 'OK';
  } finally {
    await connection.close();
  }
}

/**
 * A subscription over HTTP (server-sent events, which tRPC also serves): the tRPC error code of
 * the stream, or 'OK' when it is still open and error-free after a moment.
 */
async function callOverSse(path: string, headers: Record<string, string>): Promise<string> {
  const search = `?input=${encodeURIComponent(JSON.stringify(procedures[path]!.input?.() ?? {}))}`;
  const abort = new AbortController();
  const response = await fetch(`${api.url}/api/trpc/${path}${search}`, {
    headers: { ...headers, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const timer = setTimeout(() => abort.abort(), 300);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
      const error = /event: serialized-error\ndata: (.*)\n/.exec(text);
      if (error) return JSON.parse(error[1]!).data.code;
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return text.includes('event: connected') ? 'OK' : `unexpected ${text}`;
}

const rows = Object.entries(procedures);
const requests = rows.filter(([, row]) => row.kind !== 'subscription');
const denied = new Set(['UNAUTHORIZED', 'FORBIDDEN']);

beforeAll(async () => {
  api = await startTestApi();
  kept = (await api.putArtifact()).artifactId;
  doomed = (await api.putArtifact()).artifactId;
});

afterAll(async () => {
  await api?.close();
});

describe('access to every procedure', () => {
  it('the table lists exactly the procedures of the router, with their kinds', () => {
    const table = Object.fromEntries(rows.map(([path, row]) => [path, row.kind]));
    expect(table).toEqual(procedureKinds());
  });

  it.each(rows)('%s: not signed in → UNAUTHORIZED (unless public)', async (path, row) => {
    const code = await call(path, {});
    expect(code).toBe(row.access === 'public' ? 'OK' : 'UNAUTHORIZED');
  });

  it.each(rows)('%s: a wrong token → UNAUTHORIZED, never a weaker identity', async (path) => {
    expect(await call(path, bearer(`${secrets.viewerToken}x`))).toBe('UNAUTHORIZED');
  });

  it.each(rows)(
    '%s: a viewer token → allowed for viewer procedures, FORBIDDEN for operator ones',
    async (path, row) => {
      const code = await call(path, bearer(secrets.viewerToken));
      if (row.access === 'operator') expect(code).toBe('FORBIDDEN');
      else expect(denied.has(code), `${path} answered ${code}`).toBe(false);
    },
  );

  it.each(requests)('%s over the WebSocket: the same answers for nobody and a viewer', async (path, row) => {
    expect(await callOverWs(path, {})).toBe(row.access === 'public' ? 'OK' : 'UNAUTHORIZED');
    const code = await callOverWs(path, bearer(secrets.viewerToken));
    if (row.access === 'operator') expect(code).toBe('FORBIDDEN');
    else expect(denied.has(code), `${path} answered ${code}`).toBe(false);
  });

  it.each(rows.filter(([, row]) => row.kind === 'subscription'))(
    '%s over HTTP (SSE): the same answers for nobody, a wrong token and a viewer',
    async (path) => {
      expect(await callOverSse(path, {})).toBe('UNAUTHORIZED');
      expect(await callOverSse(path, bearer(`${secrets.viewerToken}x`))).toBe('UNAUTHORIZED');
      expect(await callOverSse(path, bearer(secrets.viewerToken))).toBe('OK');
    },
  );

  it('the viewer changed nothing: the artifact to delete is still there, no run was started', async () => {
    expect(api.daemon.agent().catalog.get(doomed)).toBeDefined();
    expect(api.daemon.registry.list()).toEqual([]);
    expect(api.reloads()).toBe(0);
  });

  it.each(rows)('%s: an operator token → allowed (a domain error at most)', async (path) => {
    const code = await call(path, bearer(secrets.operatorToken));
    expect(denied.has(code), `${path} answered ${code}`).toBe(false);
    expect(['OK', 'NOT_FOUND', procedures[path]?.operatorAnswer]).toContain(code);
  });

  it('the operator calls took effect', async () => {
    expect(api.daemon.agent().catalog.get(doomed)).toBeUndefined();
    expect(api.daemon.registry.list({ target: 'shop' }).length).toBeGreaterThan(0);
    expect(api.reloads()).toBe(1);
  });
});
