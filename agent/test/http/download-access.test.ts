import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '@port-yard/shared';
import { hashSecret } from '../../src/auth/password-hash.ts';
import type { RunningApi } from '../../src/http/start-api.ts';
import { createFilesystemStorage } from '../../src/storage/filesystem-storage.ts';
import { waitFor } from '../harness/wait-for.ts';
import { fetchBytes, openFilesUnder, putArtifact, sha256, startDownloadAgent } from './download-fixture.ts';

/**
 * Who may download (sign-in required: 401 without credentials, a viewer token works, a wrong
 * token is refused) and what a client that leaves mid-download leaves behind: nothing, neither an
 * open file nor a decompressor process.
 */
const token = `py-test-${randomBytes(12).toString('hex')}`;
let dir: string;
let agent: Awaited<ReturnType<typeof startDownloadAgent>> | undefined;
let api: RunningApi;
let small: Manifest;
let huge: Manifest;
let hugeZstd: Manifest;

const url = (id: string, query = ''): string => `${api.url}/api/artifacts/${id}/download${query}`;
const bearer = { authorization: `Bearer ${token}` };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-download-access-'));
  const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
  small = await putArtifact([local], Buffer.from('small artifact'));
  // Far more than socket buffers hold: the read is still going when the client leaves.
  const noise = randomBytes(48 * 1024 * 1024);
  huge = await putArtifact([local], noise);
  hugeZstd = await putArtifact([local], zstdCompressSync(noise));
  agent = await startDownloadAgent({
    auth: { mode: 'basic', tokens: [{ name: 'ci', tokenHash: await hashSecret(token), role: 'viewer' }] },
    storages: { local: { type: 'filesystem', path: join(dir, 'local') } },
  });
  api = agent.api;
});

afterAll(async () => {
  await agent?.close();
  await rm(dir, { recursive: true, force: true });
});

const zstdChildren = (): string[] =>
  execFileSync('ps', ['--ppid', String(process.pid), '-o', 'args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('zstd'));

describe('downloads with sign-in required', () => {
  it('answers 401 without credentials, serves a viewer token, refuses a wrong token', async () => {
    const anonymous = await fetchBytes(url(small.artifactId));
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body.toString()).error.code).toBe('AUTH_FAILED');
    const viewer = await fetchBytes(url(small.artifactId), bearer);
    expect(viewer.status).toBe(200);
    expect(sha256(viewer.body)).toBe(small.sha256);
    const wrong = await fetchBytes(url(small.artifactId), { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    // The id is checked first: a bad one is 400 even before sign-in.
    expect((await fetchBytes(`${api.url}/api/artifacts/..%2Fx/download`)).status).toBe(400);

    const entries = api.audit.list().filter((entry) => entry.action === 'artifact.download');
    expect(entries.map((entry) => [entry.actor, entry.via, entry.outcome])).toEqual([
      ['ci', 'token', 'ok'],
      ['anonymous', 'none', 'denied'],
    ]);
  });

  it('stops reading storage, and the decompressor, when the client disconnects', async () => {
    const root = join(dir, 'local');
    for (const target of [url(huge.artifactId), url(hugeZstd.artifactId, '?decompress=1')]) {
      const leaving = new AbortController();
      const response = await fetch(target, { headers: bearer, signal: leaving.signal });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      expect(await openFilesUnder(root), target).toHaveLength(1);
      if (target.endsWith('decompress=1')) expect(zstdChildren()).toHaveLength(1);
      leaving.abort();
      await waitFor('the storage read to stop', async () => (await openFilesUnder(root)).length === 0);
      await waitFor('no decompressor left', () => zstdChildren().length === 0);
    }
    // The audit entry of a cut download is written once the response has closed, which may come
    // after the storage read and the decompressor have stopped.
    const left = () =>
      api.audit
        .list()
        .filter((entry) => entry.action === 'artifact.download' && entry.outcome === 'failed')
        .map((entry) => [entry.artifactId, entry.details?.error]);
    await expect.poll(left).toEqual([
      [hugeZstd.artifactId, 'the client disconnected'],
      [huge.artifactId, 'the client disconnected'],
    ]);
  });
});
