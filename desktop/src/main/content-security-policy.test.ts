import { expect, it } from 'vitest';
import { contentSecurityPolicy, sourcesMissingFrom } from './content-security-policy.ts';

it('allows scripts from the app only and connections to the registered agents', () => {
  const policy = contentSecurityPolicy({
    agents: [{ url: 'https://backup.example:8420' }, { url: 'http://10.0.0.5:8420/py' }],
  });
  expect(policy.split('; ')).toEqual([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self' https://backup.example:8420 wss://backup.example:8420 http://10.0.0.5:8420 ws://10.0.0.5:8420",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ]);
  expect(policy).not.toMatch(/unsafe-eval|\*/);
});

it('adds the dev server for hot reload', () => {
  const policy = contentSecurityPolicy({ agents: [], devServer: 'http://localhost:5173/' });
  expect(policy).toContain("connect-src 'self' http://localhost:5173 ws://localhost:5173;");
});

it('tells which agents a served policy does not reach yet', () => {
  const served = contentSecurityPolicy({ agents: [{ url: 'https://a.example' }] });
  expect(sourcesMissingFrom(served, [{ url: 'https://a.example/base' }])).toEqual([]);
  expect(
    sourcesMissingFrom(served, [{ url: 'https://a.example' }, { url: 'http://b.example:8420' }]),
  ).toEqual(['http://b.example:8420', 'ws://b.example:8420']);
});
