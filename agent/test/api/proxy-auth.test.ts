import { afterEach, describe, expect, it } from 'vitest';
import type { PortYardConfigInput } from '@port-yard/shared';
import {
  bearer,
  http,
  mutate,
  openWs,
  query,
  secrets,
  startTestApi,
  subscribe,
  trpcCode,
  type TestApi,
} from './api-harness.ts';
import { basicAuth } from './api-harness.ts';

/**
 * Mode proxy: an authenticating reverse proxy sets X-Forwarded-User and X-Forwarded-Groups. The
 * headers count only from a listed proxy address; from anywhere else they are a spoofing
 * attempt and refused with a clear error (never silently ignored into some identity).
 */
let api: TestApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function proxyMode(trustedProxies: string[], defaultRole: 'viewer' | 'none' = 'none') {
  const { tokens } = await basicAuth();
  const auth: PortYardConfigInput['auth'] = {
    mode: 'proxy',
    proxy: { trustedProxies },
    defaultRole,
    tokens,
    roles: [
      { role: 'operator', groups: ['dba'] },
      { role: 'viewer', groups: ['staff'] },
      { role: 'operator', users: ['root-user'] },
    ],
  };
  return startTestApi({ auth });
}

const as = (user: string, groups?: string): Record<string, string> => ({
  'x-forwarded-user': user,
  ...(groups === undefined ? {} : { 'x-forwarded-groups': groups }),
});

describe('proxy headers from an address that is not a trusted proxy', () => {
  it('are refused with a clear error: queries, mutations, plain routes, the WebSocket', async () => {
    api = await proxyMode(['10.99.99.99/32']);
    const info = await query(api.url, 'agent.info', undefined, as('mallory', 'dba'));
    expect(info.status).toBe(401);
    expect(trpcCode(info)).toBe('UNAUTHORIZED');
    expect(info.body.error.message).toMatch(
      /^X-Forwarded-User is only accepted from a trusted proxy, not from (::ffff:)?127\.0\.0\.1$/,
    );
    const start = await mutate(api.url, 'runs.start', { target: 'shop' }, as('mallory', 'dba'));
    expect(trpcCode(start)).toBe('UNAUTHORIZED');
    // even the public procedure: a spoofed header is an error, not "not signed in"
    expect(trpcCode(await query(api.url, 'agent.session', undefined, as('mallory')))).toBe('UNAUTHORIZED');
    const page = await http(`${api.url}/`, { headers: as('mallory', 'dba') });
    expect(page.status).toBe(401);
    expect(page.body.error.message).toMatch(/only accepted from a trusted proxy/);

    const connection = await openWs(api.wsUrl, as('mallory', 'dba'));
    const { first } = await subscribe(connection, 'runs.events', {}).catch(() => ({
      first: connection.messages[0],
    }));
    expect(trpcCode(first)).toBe('UNAUTHORIZED');
    expect(first.error.message).toMatch(/only accepted from a trusted proxy/);
    await connection.close();
    expect(api.daemon.registry.list()).toEqual([]);
  });

  it('a header name in another case is the same header', async () => {
    api = await proxyMode(['10.99.99.99/32']);
    const result = await query(api.url, 'agent.info', undefined, { 'X-FORWARDED-USER': 'mallory' });
    expect(result.body.error.message).toMatch(/only accepted from a trusted proxy/);
  });

  it('without the header: not signed in; API tokens still work', async () => {
    api = await proxyMode(['10.99.99.99/32']);
    expect(trpcCode(await query(api.url, 'agent.info'))).toBe('UNAUTHORIZED');
    const session = await query(api.url, 'agent.session');
    expect(session.body.result.data).toMatchObject({ authMode: 'proxy', identity: null });
    expect((await query(api.url, 'agent.info', undefined, bearer(secrets.viewerToken))).status).toBe(200);
  });
});

describe('proxy headers from a trusted proxy', () => {
  it('map the user and groups to roles per the rules', async () => {
    api = await proxyMode(['127.0.0.1/32', '::1/128'], 'none');
    const who = async (headers: Record<string, string>) => {
      const result = await query(api!.url, 'agent.session', undefined, headers);
      return result.body.result?.data.identity ?? result.body.error.message;
    };
    expect(await who(as('dana', 'staff, dba'))).toEqual({ name: 'dana', role: 'operator', kind: 'user' });
    expect(await who(as('sam', 'staff'))).toEqual({ name: 'sam', role: 'viewer', kind: 'user' });
    expect(await who(as('root-user'))).toEqual({ name: 'root-user', role: 'operator', kind: 'user' });
    expect(await who(as('nobody', 'visitors'))).toBe('user nobody has no role here');

    const viewerStart = await mutate(api.url, 'runs.start', { target: 'shop' }, as('sam', 'staff'));
    expect(trpcCode(viewerStart)).toBe('FORBIDDEN');
    const operatorStart = await mutate(api.url, 'runs.start', { target: 'shop' }, as('dana', 'dba'));
    expect(operatorStart.status).toBe(200);
    const audit = await query(api.url, 'audit.list', {}, as('dana', 'dba'));
    expect(audit.body.result.data[0]).toMatchObject({ action: 'run.start', actor: 'dana', via: 'proxy' });
  });

  it('with defaultRole viewer, a user no rule matches is a viewer', async () => {
    api = await proxyMode(['127.0.0.1/32'], 'viewer');
    const result = await query(api.url, 'agent.session', undefined, as('walk-in'));
    expect(result.body.result.data.identity).toEqual({ name: 'walk-in', role: 'viewer', kind: 'user' });
  });

  it('the WebSocket takes the identity from the proxy headers of the upgrade', async () => {
    api = await proxyMode(['127.0.0.1/32']);
    const viewer = await openWs(api.wsUrl, as('sam', 'staff'));
    expect((await subscribe(viewer, 'runs.events', {})).first.result.type).toBe('started');
    viewer.send({ id: 'm1', method: 'mutation', params: { path: 'runs.start', input: { target: 'shop' } } });
    expect(trpcCode(await viewer.next((message) => message.id === 'm1'))).toBe('FORBIDDEN');
    await viewer.close();
  });
});
