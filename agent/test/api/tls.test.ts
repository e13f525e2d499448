import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCert } from '../harness/self-signed-cert.ts';
import { secrets, startTestApi, type TestApi } from './api-harness.ts';

/** `server.tls`: the agent serves HTTPS itself, and its session cookies are then Secure. */
let dir: string;
let api: TestApi;

function httpsRequest(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string> } = {},
) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((done, fail) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', fail);
    req.end(options.body);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-tls-'));
  const { certFile: cert, keyFile: key } = createSelfSignedCert(dir);
  api = await startTestApi({ server: { tls: { cert, key } } });
});

afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('HTTPS', () => {
  it('serves the API over TLS', async () => {
    expect(api.url).toMatch(/^https:\/\//);
    const health = await httpsRequest(`${api.url}/healthz`);
    expect(health.status).toBe(200);
    const session = await httpsRequest(`${api.url}/api/trpc/agent.session`);
    expect(JSON.parse(session.body).result.data.authMode).toBe('basic');
  });

  it('marks the session cookie Secure', async () => {
    const login = await httpsRequest(`${api.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: secrets.alicePassword }),
    });
    expect(login.status).toBe(200);
    expect(String(login.headers['set-cookie'])).toMatch(
      /py_session=[^;]+; HttpOnly; SameSite=Strict; Path=\/; Expires=[^;]+; Secure/,
    );
  });
});
