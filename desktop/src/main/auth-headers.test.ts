import { describe, expect, it } from 'vitest';
import {
  agentConnectSources,
  agentForUrl,
  withAgentAuth,
  withAgentCors,
  type AuthContext,
} from './auth-headers.ts';

const context: AuthContext = {
  appOrigin: 'app://port-yard',
  agents: [
    { url: 'https://backup.example:8420', token: 'pyt_prod' },
    { url: 'https://shared.example/port-yard', token: 'pyt_shared' },
    { url: 'https://shared.example/port-yard/eu', token: 'pyt_eu' },
    { url: 'http://10.0.0.5:8420', token: undefined },
  ],
};

describe('agentForUrl', () => {
  it('matches host, port, scheme family and base path', () => {
    const url = (requestUrl: string) => agentForUrl(requestUrl, context.agents)?.url;
    expect(url('https://backup.example:8420/api/trpc/agent.session')).toBe('https://backup.example:8420');
    expect(url('wss://backup.example:8420/api/trpc')).toBe('https://backup.example:8420');
    expect(url('ws://10.0.0.5:8420/api/trpc')).toBe('http://10.0.0.5:8420');
    expect(url('https://shared.example/port-yard/api/trpc')).toBe('https://shared.example/port-yard');
    expect(url('https://shared.example/port-yard/eu/api/trpc')).toBe('https://shared.example/port-yard/eu');
    expect(url('https://shared.example/port-yard-other/api')).toBeUndefined();
    expect(url('https://shared.example/elsewhere')).toBeUndefined();
    expect(url('http://backup.example:8420/api/trpc')).toBeUndefined();
    expect(url('https://backup.example/api/trpc')).toBeUndefined();
    expect(url('https://backup.example:8420.evil.example/api')).toBeUndefined();
    expect(url('not a url')).toBeUndefined();
  });
});

describe('withAgentAuth', () => {
  it('adds the bearer token and drops Origin for the app’s requests to an agent', () => {
    expect(
      withAgentAuth(
        {
          url: 'https://backup.example:8420/api/trpc/targets.list',
          headers: {
            Origin: 'app://port-yard',
            'Content-Type': 'application/json',
            authorization: 'Bearer forged',
          },
        },
        context,
      ),
    ).toEqual({ 'Content-Type': 'application/json', Authorization: 'Bearer pyt_prod' });
  });

  it('applies to the WebSocket upgrade', () => {
    expect(
      withAgentAuth(
        {
          url: 'wss://shared.example/port-yard/eu/api/trpc',
          headers: { Origin: 'app://port-yard', Upgrade: 'websocket' },
        },
        context,
      ),
    ).toEqual({ Upgrade: 'websocket', Authorization: 'Bearer pyt_eu' });
  });

  it('drops Origin but adds nothing for an agent without a token', () => {
    expect(
      withAgentAuth(
        { url: 'http://10.0.0.5:8420/api/trpc', headers: { origin: 'app://port-yard' } },
        context,
      ),
    ).toEqual({});
  });

  it('leaves other requests alone: other origins, no Origin, other hosts', () => {
    const agentUrl = 'https://backup.example:8420/api/trpc';
    expect(
      withAgentAuth({ url: agentUrl, headers: { Origin: 'https://evil.example' } }, context),
    ).toBeUndefined();
    expect(withAgentAuth({ url: agentUrl, headers: {} }, context)).toBeUndefined();
    expect(
      withAgentAuth(
        { url: 'https://elsewhere.example/api', headers: { Origin: 'app://port-yard' } },
        context,
      ),
    ).toBeUndefined();
  });
});

describe('withAgentCors', () => {
  it('allows the app origin with credentials on agents’ answers, replacing the agent’s own', () => {
    expect(
      withAgentCors(
        {
          url: 'https://backup.example:8420/api/trpc/targets.list',
          method: 'GET',
          headers: {
            'content-type': ['application/json'],
            'access-control-allow-origin': ['https://other.example'],
            vary: ['Accept-Encoding'],
          },
        },
        context,
      ),
    ).toEqual({
      'content-type': ['application/json'],
      vary: ['Accept-Encoding', 'Origin'],
      'Access-Control-Allow-Origin': ['app://port-yard'],
      'Access-Control-Allow-Credentials': ['true'],
    });
  });

  it('answers preflights with the methods and headers the console uses', () => {
    expect(
      withAgentCors(
        { url: 'http://10.0.0.5:8420/api/trpc/runs.start', method: 'OPTIONS', headers: undefined },
        context,
      ),
    ).toEqual({
      'Access-Control-Allow-Origin': ['app://port-yard'],
      'Access-Control-Allow-Credentials': ['true'],
      Vary: ['Origin'],
      'Access-Control-Allow-Methods': ['GET, POST, OPTIONS'],
      'Access-Control-Allow-Headers': ['authorization, content-type, trpc-accept, range, if-range'],
      'Access-Control-Max-Age': ['600'],
    });
  });

  it('leaves answers from other hosts alone', () => {
    expect(
      withAgentCors({ url: 'https://cdn.example/x.js', method: 'GET', headers: {} }, context),
    ).toBeUndefined();
  });
});

it('lists each agent origin for HTTP and WebSocket once', () => {
  expect(agentConnectSources(context.agents)).toEqual([
    'https://backup.example:8420',
    'wss://backup.example:8420',
    'https://shared.example',
    'wss://shared.example',
    'http://10.0.0.5:8420',
    'ws://10.0.0.5:8420',
  ]);
});
