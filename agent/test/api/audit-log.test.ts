import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@port-yard/shared';
import {
  bearer,
  cookieHeader,
  login,
  mutate,
  query,
  secrets,
  startTestApi,
  trpcCode,
  type TestApi,
} from './api-harness.ts';

/**
 * The audit log through audit.list: every sign-in and every change made through the API is
 * there with who, how and from where; only operators may read it.
 */
let api: TestApi;
const operator = bearer(secrets.operatorToken);

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

async function audit(input: { limit?: number; beforeSeq?: number } = { limit: 1000 }): Promise<AuditEntry[]> {
  const result = await query(api.url, 'audit.list', input, operator);
  expect(result.status).toBe(200);
  return result.body.result.data;
}

describe('audit.list', () => {
  it('records sign-ins, runs, pins, deletions, retention and reloads, newest first', async () => {
    const artifact = await api.putArtifact();
    const other = await api.putArtifact();
    await login(api.url, 'alice', 'wrong');
    const { session } = await login(api.url, 'alice', secrets.alicePassword);
    const run = (await mutate(api.url, 'runs.start', { target: 'shop' }, cookieHeader(session!))).body.result
      .data;
    await mutate(api.url, 'runs.cancel', { runId: run.id }, operator);
    await mutate(api.url, 'artifacts.pin', { id: artifact.artifactId }, operator);
    await mutate(api.url, 'artifacts.unpin', { id: artifact.artifactId }, operator);
    await mutate(api.url, 'artifacts.delete', { id: other.artifactId }, operator);
    await mutate(api.url, 'retention.applyNow', { target: 'shop' }, operator);
    await mutate(api.url, 'agent.reloadConfig', undefined, operator);

    const entries = await audit();
    const seqs = entries.map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const find = (action: string, outcome = 'ok') =>
      entries.find((entry) => entry.action === action && entry.outcome === outcome);

    expect(find('login', 'denied')).toMatchObject({ actor: 'alice', via: 'password' });
    expect(find('login')).toMatchObject({ actor: 'alice', via: 'password', details: { role: 'operator' } });
    expect(find('run.start')).toMatchObject({
      actor: 'alice',
      via: 'session',
      target: 'shop',
      details: { runId: run.id },
    });
    expect(entries.find((entry) => entry.action === 'run.cancel')).toMatchObject({
      actor: 'ci-operator',
      via: 'token',
      details: { runId: run.id },
    });
    expect(find('artifact.pin')).toMatchObject({ actor: 'ci-operator', artifactId: artifact.artifactId });
    expect(find('artifact.unpin')).toMatchObject({ actor: 'ci-operator', artifactId: artifact.artifactId });
    expect(find('artifact.delete')).toMatchObject({
      actor: 'ci-operator',
      artifactId: other.artifactId,
      details: { storages: ['local'] },
    });
    expect(find('retention.apply')).toMatchObject({ actor: 'ci-operator', target: 'shop' });
    expect(find('config.reload')).toMatchObject({ actor: 'ci-operator', via: 'token' });
    for (const entry of entries) {
      expect(entry.address).toMatch(/127\.0\.0\.1$/);
      expect(new Date(entry.time).getTime()).not.toBeNaN();
    }
  });

  it('a failed deletion is audited as failed', async () => {
    const missing = '2020-01-01T00-00-00Z_aaaaaaaaaa';
    const result = await mutate(api.url, 'artifacts.delete', { id: missing }, operator);
    expect(trpcCode(result)).toBe('NOT_FOUND');
    expect((await audit({ limit: 1 }))[0]).toMatchObject({
      action: 'artifact.delete',
      outcome: 'failed',
      artifactId: missing,
    });
  });

  it('refused calls change nothing and record nothing as done', async () => {
    const before = (await audit({ limit: 1 }))[0]!.seq;
    await mutate(api.url, 'runs.cancel', { runId: randomUUID() }, bearer(secrets.viewerToken));
    await mutate(api.url, 'agent.reloadConfig', undefined);
    const after = await audit({ limit: 1000 });
    expect(after.filter((entry) => entry.seq > before && entry.outcome === 'ok')).toEqual([]);
  });

  it('pages with beforeSeq and limit', async () => {
    const all = await audit();
    const page = await audit({ limit: 2, beforeSeq: all[0]!.seq });
    expect(page.map((entry) => entry.seq)).toEqual([all[1]!.seq, all[2]!.seq]);
  });

  it('viewers (token or session) and strangers may not read it', async () => {
    expect(trpcCode(await query(api.url, 'audit.list', {}, bearer(secrets.viewerToken)))).toBe('FORBIDDEN');
    const { session } = await login(api.url, 'victor', secrets.victorPassword);
    expect(trpcCode(await query(api.url, 'audit.list', {}, cookieHeader(session!)))).toBe('FORBIDDEN');
    expect(trpcCode(await query(api.url, 'audit.list', {}))).toBe('UNAUTHORIZED');
  });

  it('audit lines also go to the log, marked for log shippers', () => {
    const lines = api.log.lines.map((line) => JSON.parse(line)).filter((line) => line.audit === true);
    expect(lines.map((line) => line.action)).toEqual(
      expect.arrayContaining(['login', 'run.start', 'artifact.delete']),
    );
  });
});
