import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import type { ApiServices } from '../api/api-context.ts';
import { createAuthenticator } from '../auth/authenticator.ts';
import { createSessions } from '../auth/sessions.ts';
import type { LogFields, Logger } from '../platform/logger.ts';
import { createApiServer, type ApiServer } from './api-server.ts';
import { createSignInLimit, signInLimitDefaults } from './sign-in-limit.ts';

/**
 * A request that fails with anything but Port-Yard's own error (a bug, a library's failure) is
 * answered without that error's text, which may name files or hosts, to callers who need not be
 * signed in; the log gets it, with the path but never the query (an OIDC code, a token).
 */
let api: ApiServer | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('an unexpected failure in a route', () => {
  it('answers INTERNAL without its message, and logs it without the query string', async () => {
    const config = configSchema.parse({
      version: 1,
      storages: { local: { type: 'filesystem', path: '/var/backups' } },
    });
    const logged: [string, LogFields | undefined][] = [];
    const log: Logger = {
      info: () => undefined,
      warn: () => undefined,
      error: (message, fields) => void logged.push([message, fields]),
    };
    api = createApiServer({
      server: { ...config.server, port: 0 },
      services: {} as ApiServices,
      authenticator: createAuthenticator(config.auth, createSessions(60_000)),
      signInLimit: createSignInLimit(signInLimitDefaults),
      log,
      routes: [
        {
          method: 'GET',
          path: '/api/boom',
          handle: () => {
            throw new Error("EACCES: permission denied, open '/etc/port-yard/age-identity.txt'");
          },
        },
      ],
      fallback: () => undefined,
    });
    const { port } = await api.listen();
    const response = await fetch(`http://127.0.0.1:${port}/api/boom?code=one-time-secret`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: { code: 'INTERNAL', message: "internal error: the agent's log has the details" },
    });
    expect(logged).toEqual([
      [
        'request failed',
        { path: '/api/boom', message: "EACCES: permission denied, open '/etc/port-yard/age-identity.txt'" },
      ],
    ]);
  });
});

describe('a request line no URL parser takes', () => {
  // Node's HTTP parser lets `//[` through; `new URL` threw on it, before any sign-in, and the
  // error (in the request handler and in its own error handler) ended the agent.
  it.for([
    ['a plain request', ''],
    [
      'a WebSocket upgrade',
      'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
    ],
  ])('%s is answered 400, and the agent goes on', async ([, headers]) => {
    const config = configSchema.parse({
      version: 1,
      storages: { local: { type: 'filesystem', path: '/var/backups' } },
    });
    const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    api = createApiServer({
      server: { ...config.server, port: 0 },
      services: {} as ApiServices,
      authenticator: createAuthenticator(config.auth, createSessions(60_000)),
      signInLimit: createSignInLimit(signInLimitDefaults),
      log: quiet,
      routes: [{ method: 'GET', path: '/healthz', handle: (_q, r) => void r.end('alive') }],
      fallback: () => undefined,
    });
    const { port } = await api.listen();
    const answer = await new Promise<string>((resolve, reject) => {
      const client = connect(port, '127.0.0.1');
      let text = '';
      client.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      client.on('end', () => resolve(text)).on('error', reject);
      client.write(`GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${headers}\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.text())).toBe('alive');
  });
});
