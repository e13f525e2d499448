import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import type { ApiServices } from '../api/api-context.ts';
import { createAuthenticator } from '../auth/authenticator.ts';
import { createSessions } from '../auth/sessions.ts';
import type { LogFields, Logger } from '../platform/logger.ts';
import { createApiServer, type ApiServer } from './api-server.ts';

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
