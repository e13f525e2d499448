import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { configSchema } from '@port-yard/shared';
import type { ApiServices } from '../api/api-context.ts';
import { createAuthenticator } from '../auth/authenticator.ts';
import { createSessions } from '../auth/sessions.ts';
import type { Logger } from '../platform/logger.ts';
import { createApiServer, type ApiServer } from './api-server.ts';
import { createSignInLimit, signInLimitDefaults } from './sign-in-limit.ts';
import { readinessRoute } from './health-routes.ts';

/**
 * `serve` takes the API's port before the daemon starts (so a second agent on the same port fails
 * before it backs anything up). Until the daemon has read its catalog, the API's answers would
 * come from an empty one: requests wait, but the liveness probe and the console's files.
 */
let api: ApiServer | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let isStarted = false;

async function serve(started: Promise<unknown>): Promise<number> {
  isStarted = false;
  started.then(
    () => void (isStarted = true),
    () => undefined,
  );
  const config = configSchema.parse({
    version: 1,
    storages: { local: { type: 'filesystem', path: '/var/backups' } },
  });
  api = createApiServer({
    server: { ...config.server, port: 0 },
    services: {} as ApiServices,
    authenticator: createAuthenticator(config.auth, createSessions(60_000)),
    signInLimit: createSignInLimit(signInLimitDefaults),
    log: silent,
    routes: [
      { method: 'GET', path: '/healthz', beforeStart: true, handle: (_q, r) => void r.end('alive') },
      { method: 'GET', path: '/metrics', handle: (_q, r) => void r.end('metrics') },
      {
        method: 'GET',
        path: '/readyz',
        beforeStart: true,
        handle: readinessRoute({ check: () => Promise.reject(new Error('not probed')) }, () => !isStarted),
      },
    ],
    fallback: (_request, response) => void response.end('console'),
    started,
  });
  return (await api.listen()).port;
}

/** Whether `pending` settles within `ms`. */
async function settlesWithin(pending: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([pending.then(() => true), sleep(ms).then(() => false)]);
}

describe('the API before the daemon has started', () => {
  it('answers the liveness probe and the console at once; routes and the API wait for the start', async () => {
    const started = Promise.withResolvers<void>();
    const port = await serve(started.promise);
    const get = (path: string): Promise<string> =>
      fetch(`http://127.0.0.1:${port}${path}`).then((response) => response.text());

    expect(await get('/healthz')).toBe('alive');
    expect(await get('/')).toBe('console');
    const readiness = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([readiness.status, await readiness.json()]).toEqual([503, { status: 'starting' }]);
    const metrics = get('/metrics');
    const unknown = fetch(`http://127.0.0.1:${port}/api/nothing`).then((response) => response.status);
    expect(await settlesWithin(metrics, 300)).toBe(false);
    expect(await settlesWithin(unknown, 0)).toBe(false);

    started.resolve();
    expect(await metrics).toBe('metrics');
    expect(await unknown).toBe(404);
  });

  it('opens a WebSocket only once started, and drops it when the start failed', async () => {
    const started = Promise.withResolvers<void>();
    const port = await serve(started.promise);
    const open = (): Promise<string> =>
      new Promise((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/api/trpc`);
        socket.once('open', () => {
          socket.close();
          resolve('open');
        });
        socket.once('error', () => resolve('failed'));
      });
    const opening = open();
    expect(await settlesWithin(opening, 300)).toBe(false);
    started.resolve();
    expect(await opening).toBe('open');

    await api?.close();
    const failed = Promise.withResolvers<void>();
    failed.promise.catch(() => undefined);
    const portAfterFailure = await serve(failed.promise);
    const upgrading = once(api!.server, 'upgrade');
    const refused = new Promise<string>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${portAfterFailure}/api/trpc`);
      socket.once('open', () => resolve('open'));
      socket.once('error', () => resolve('failed'));
    });
    await upgrading; // waiting for the start, which then fails
    failed.reject(new Error('the catalog could not be read'));
    expect(await refused).toBe('failed');
  });

  // Node's server stops listening for an upgrading socket's errors: an unhandled ECONNRESET
  // would end the agent (anyone who reaches the port could, with a path that is refused).
  it.for([
    ['while it waits for the start', '/api/trpc'],
    ['while it is refused (no such path)', '/nowhere'],
  ])('survives a client that resets its WebSocket upgrade %s', async ([, path]) => {
    const started = Promise.withResolvers<void>();
    const port = await serve(started.promise);
    const upgrading = once(api!.server, 'upgrade');
    const client = connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    client.write(
      [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        '',
        '',
      ].join('\r\n'),
    );
    const [, serverSide] = (await upgrading) as [unknown, Socket];
    const closed = new Promise((resolve) => serverSide.once('close', resolve));
    client.resetAndDestroy();
    await closed; // an unhandled 'error' (ECONNRESET) would have failed the test run here
    started.resolve();
    expect(await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.text())).toBe('alive');
  });
});
