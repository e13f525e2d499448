import { describe, expect, it } from 'vitest';
import { createWebRequestHooks } from './web-request.ts';

const served: string[] = [];
const hooks = createWebRequestHooks({
  appOrigin: 'app://port-yard',
  agents: () => [{ url: 'https://backup.example:8420', token: 'pyt_prod' }],
  policy: () => "default-src 'self'",
  onPolicyServed: (policy) => void served.push(policy),
});

describe('the session hooks', () => {
  it('authenticate the app’s requests to agents and leave others unchanged', () => {
    expect(
      hooks.beforeSendHeaders({
        url: 'wss://backup.example:8420/api/trpc',
        requestHeaders: { Origin: 'app://port-yard' },
      }),
    ).toEqual({ requestHeaders: { Authorization: 'Bearer pyt_prod' } });
    expect(
      hooks.beforeSendHeaders({
        url: 'https://elsewhere.example/',
        requestHeaders: { Origin: 'app://port-yard' },
      }),
    ).toEqual({});
  });

  it('put the CSP on the app’s pages (replacing one the dev server sent) and CORS on agents’ answers', () => {
    expect(
      hooks.headersReceived({
        url: 'app://port-yard/index.html',
        method: 'GET',
        resourceType: 'mainFrame',
        responseHeaders: { 'content-security-policy': ['default-src *'], 'content-type': ['text/html'] },
      }),
    ).toEqual({
      responseHeaders: { 'content-type': ['text/html'], 'Content-Security-Policy': ["default-src 'self'"] },
    });
    expect(served).toEqual(["default-src 'self'"]);
    hooks.headersReceived({ url: 'app://port-yard/assets/x.js', method: 'GET', resourceType: 'script' });
    expect(served).toHaveLength(1);
    expect(
      hooks.headersReceived({
        url: 'https://backup.example:8420/api/trpc/x',
        method: 'GET',
        responseHeaders: {},
      }).responseHeaders?.['Access-Control-Allow-Origin'],
    ).toEqual(['app://port-yard']);
    expect(
      hooks.headersReceived({ url: 'https://elsewhere.example/', method: 'GET', responseHeaders: {} }),
    ).toEqual({});
  });
});
