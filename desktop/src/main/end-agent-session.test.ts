import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endAgentSession } from './end-agent-session.ts';

/** Removing an agent ends the app's session on it: a real HTTP server stands in for the agent. */
let server: Server;
let url: string;
const seen: { method?: string; path?: string; authorization?: string }[] = [];

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    seen.push({ method: request.method, path: request.url, authorization: request.headers.authorization });
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('endAgentSession', () => {
  it('logs a session token out, and leaves API tokens and token-less agents alone', async () => {
    await endAgentSession({ url, token: 'pys_session' });
    await endAgentSession({ url, token: 'pyt_api-token' });
    await endAgentSession({ url, token: undefined });
    expect(seen).toEqual([{ method: 'POST', path: '/api/auth/logout', authorization: 'Bearer pys_session' }]);
  });

  it('gives up quietly on an agent that cannot be reached', async () => {
    const started = Date.now();
    await expect(
      endAgentSession({ url: 'http://127.0.0.1:9', token: 'pys_x' }, 500),
    ).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
