import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, type ClientOptions } from 'ws';
import type { Manifest, PortYardConfig, PortYardConfigInput } from '@port-yard/shared';
import { configSchema } from '@port-yard/shared';
import { appRouter } from '../../src/api/app-router.ts';
import { hashSecret } from '../../src/auth/password-hash.ts';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.ts';
import { startApi, type RunningApi, type StartApiOptions } from '../../src/http/start-api.ts';
import type { LogFields, Logger } from '../../src/platform/logger.ts';
import { putFakeArtifact } from '../harness/fake-artifacts.ts';

/**
 * A real agent API on a free port for the API tests: a daemon with one filesystem storage
 * `local` in a temp folder, users and API tokens of both roles, and helpers that speak HTTP and
 * WebSocket the way a browser, the desktop app or curl would (no tRPC client in between).
 */

/** The secrets of the test identities (random per test process). */
export const secrets = {
  viewerToken: `pyt_viewer_${randomBytes(12).toString('hex')}`,
  operatorToken: `pyt_operator_${randomBytes(12).toString('hex')}`,
  alicePassword: `alice-${randomBytes(9).toString('base64url')}`,
  victorPassword: `victor-${randomBytes(9).toString('base64url')}`,
};

let hashes: Promise<Record<keyof typeof secrets, string>> | undefined;
/** argon2id is slow on purpose: hash the test secrets once per test file. */
function secretHashes(): Promise<Record<keyof typeof secrets, string>> {
  hashes ??= (async () => {
    const entries = await Promise.all(
      Object.entries(secrets).map(async ([key, value]) => [key, await hashSecret(value)] as const),
    );
    return Object.fromEntries(entries) as Record<keyof typeof secrets, string>;
  })();
  return hashes;
}

/** Basic mode: alice (operator) and victor (viewer) sign in with passwords; two API tokens. */
export async function basicAuth(): Promise<NonNullable<PortYardConfigInput['auth']>> {
  const hash = await secretHashes();
  return {
    mode: 'basic',
    users: [
      { username: 'alice', passwordHash: hash.alicePassword, role: 'operator' },
      { username: 'victor', passwordHash: hash.victorPassword, role: 'viewer' },
    ],
    tokens: [
      { name: 'ci-viewer', tokenHash: hash.viewerToken, role: 'viewer' },
      { name: 'ci-operator', tokenHash: hash.operatorToken, role: 'operator' },
    ],
  };
}

/** Every log line the agent wrote, as text, for "no secret in the logs" checks. */
export interface CapturedLog extends Logger {
  readonly lines: string[];
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const write =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      void lines.push(JSON.stringify({ level, message, ...fields }));
  return { lines, info: write('info'), warn: write('warn'), error: write('error') };
}

export interface TestApi {
  readonly url: string;
  readonly wsUrl: string;
  readonly api: RunningApi;
  readonly daemon: Daemon;
  readonly config: PortYardConfig;
  readonly log: CapturedLog;
  /** How often the reload procedure was called. */
  readonly reloads: () => number;
  /** Writes a fake artifact into `local` and refreshes the catalog. */
  putArtifact(options?: { target?: string; database?: string; startedAt?: Date }): Promise<Manifest>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  readonly auth?: PortYardConfigInput['auth'];
  readonly server?: Omit<NonNullable<PortYardConfigInput['server']>, 'port'>;
  readonly targets?: PortYardConfigInput['targets'];
  readonly signIn?: StartApiOptions['signIn'];
}

let artifactClock = Date.UTC(2026, 0, 1);

export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const dir = await mkdtemp(join(tmpdir(), 'py-test-api-'));
  const config = configSchema.parse({
    version: 1,
    server: { ...options.server, port: 0 },
    auth: options.auth ?? (await basicAuth()),
    storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
    targets: options.targets ?? {
      shop: {
        engine: 'postgres',
        host: '127.0.0.1',
        port: 5432,
        user: 'postgres',
        databases: ['py_t_api_missing'],
        destinations: ['local'],
        retention: { keepLast: 5 },
      },
    },
  });
  const log = captureLog();
  const daemon = createDaemon({ config, log });
  await daemon.start();
  let reloads = 0;
  const api = await startApi({
    config,
    daemon,
    log,
    signIn: options.signIn,
    reloadConfig: async () => {
      reloads += 1;
      await daemon.reload(config);
      return config;
    },
  });
  return {
    url: api.url,
    wsUrl: `${api.url.replace(/^http/, 'ws')}/api/trpc`,
    api,
    daemon,
    config,
    log,
    reloads: () => reloads,
    async putArtifact(artifact = {}) {
      artifactClock += 3_600_000;
      const manifest = await putFakeArtifact(daemon.agent().storages.get('local')!, {
        startedAt: new Date(artifactClock),
        ...artifact,
      });
      await daemon.agent().catalog.refresh();
      return manifest;
    },
    async close() {
      await api.close();
      await daemon.stop(1000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
export const cookieHeader = (session: string): Record<string, string> => ({
  cookie: `py_session=${session}`,
});

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body (undefined when it is not JSON). */
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function http(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpResult> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body: typeof init.body === 'object' ? new Uint8Array(init.body) : init.body,
    redirect: 'manual',
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** A tRPC query over HTTP: GET /api/trpc/<path>?input=<json>. */
export function query(
  base: string,
  path: string,
  input?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return http(`${base}/api/trpc/${path}${search}`, { headers });
}

/** A tRPC mutation over HTTP: POST /api/trpc/<path> with the input as the JSON body. */
export function mutate(
  base: string,
  path: string,
  input?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  return http(`${base}/api/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: input === undefined ? '' : JSON.stringify(input),
  });
}

/** The tRPC error code of a response (`UNAUTHORIZED`, ...), undefined when it succeeded. */
export function trpcCode(result: HttpResult | WsMessage): string | undefined {
  const body = 'status' in result ? result.body : result;
  return body?.error?.data?.code;
}

/** One message of tRPC's WebSocket protocol, as received. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WsMessage = any;

export interface WsConnection {
  readonly socket: WebSocket;
  readonly messages: WsMessage[];
  /** Resolves with the first received message that matches (waits up to `timeoutMs`). */
  next(match: (message: WsMessage) => boolean, timeoutMs?: number): Promise<WsMessage>;
  send(message: unknown): void;
  close(): Promise<void>;
}

/**
 * Opens a WebSocket to the tRPC endpoint with these headers on the upgrade request (a token as
 * `Authorization`, a cookie, an `Origin`). Rejects with the HTTP status when the upgrade is refused.
 */
export function openWs(
  wsUrl: string,
  headers: Record<string, string> = {},
  options: ClientOptions = {},
): Promise<WsConnection> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { headers, ...options });
    const messages: WsMessage[] = [];
    const waiters = new Set<() => void>();
    socket.on('message', (data) => {
      const text = String(data);
      // the server's keep-alive: answer like tRPC's client does
      if (text === 'PING') return void socket.send('PONG');
      messages.push(JSON.parse(text));
      for (const waiter of waiters) waiter();
    });
    socket.on('close', () => {
      for (const waiter of waiters) waiter();
    });
    socket.once('unexpected-response', (_request, response) => {
      reject(
        Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode }),
      );
      socket.terminate();
    });
    socket.once('error', reject);
    socket.once('open', () => {
      resolve({
        socket,
        messages,
        send: (message) => socket.send(JSON.stringify(message)),
        next(match, timeoutMs = 10_000) {
          return new Promise((found, fail) => {
            let seen = 0;
            const check = (): void => {
              for (; seen < messages.length; seen++) {
                if (match(messages[seen])) {
                  done();
                  found(messages[seen]);
                  return;
                }
              }
              if (socket.readyState === WebSocket.CLOSED) {
                done();
                fail(new Error(`socket closed; messages: ${JSON.stringify(messages)}`));
              }
            };
            const timer = setTimeout(() => {
              done();
              fail(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
            }, timeoutMs);
            const done = (): void => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        close: () =>
          new Promise<void>((closed) => {
            if (socket.readyState === WebSocket.CLOSED) return closed();
            socket.once('close', () => closed());
            socket.close();
          }),
      });
    });
  });
}

let nextId = 1;

/**
 * Starts a subscription over an open socket (`{ id, method: 'subscription', params }`) and
 * resolves with the server's first answer to it: `{ result: { type: 'started' } }` or an error.
 */
export async function subscribe(
  connection: WsConnection,
  path: string,
  input: unknown = {},
): Promise<{ id: number; first: WsMessage }> {
  const id = nextId++;
  connection.send({ id, method: 'subscription', params: { path, input } });
  const first = await connection.next((message) => message.id === id || message.id === null);
  return { id, first };
}

/** Signs in over POST /api/auth/login and returns the session id from the cookie. */
export async function login(
  base: string,
  username: string,
  password: string,
): Promise<{ result: HttpResult; session?: string }> {
  const result = await http(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const cookie = result.headers.get('set-cookie') ?? '';
  const session = /^py_session=([^;]+)/.exec(cookie)?.[1];
  return { result, session };
}

export type ProcedureKind = 'query' | 'mutation' | 'subscription';

/** Every procedure of the app router (`runs.start`, ...) and its kind, read from the router itself. */
export function procedureKinds(): Record<string, ProcedureKind> {
  const procedures = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: ProcedureKind } }
  >;
  return Object.fromEntries(
    Object.entries(procedures).map(([path, procedure]) => [path, procedure._def.type]),
  );
}
