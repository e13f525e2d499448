import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Manifest } from '@port-yard/shared';
import { secrets, startTestApi, type TestApi } from '../../../agent/test/api/api-harness.ts';
import { putArtifact } from '../../../agent/test/http/download-fixture.ts';
import type { AgentTarget } from '../../src/main/agent-http.ts';
import { downloadArtifact, partPath, type DownloadBytes } from '../../src/main/download-artifact.ts';

/**
 * The download manager's core against a real agent API (basic auth, a viewer token, a
 * filesystem storage): whole downloads, resume with Range/If-Range, damage, cancel, a wrong
 * token, decompression on the agent.
 */
let api: TestApi;
let dir: string;
let downloads: string;
let big: { data: Buffer; manifest: Manifest };

function storageRoot(): string {
  const local = api.config.storages.local;
  if (local?.type !== 'filesystem') throw new Error('the test agent has a filesystem storage "local"');
  return local.path;
}
const storedFile = (manifest: Manifest): string =>
  join(storageRoot(), manifest.target, manifest.database, manifest.dataObject);

async function artifact(
  data: Buffer,
  overrides: Partial<Manifest> = {},
  extension?: string,
): Promise<Manifest> {
  const storage = api.daemon.agent().storages.get('local')!;
  const manifest = await putArtifact([storage], data, overrides, extension);
  await api.daemon.agent().catalog.refresh();
  return manifest;
}

/** The agent as the main process sees it, with every request's headers and answer recorded. */
function agent(token = secrets.viewerToken) {
  const requests: { url: string; headers: Record<string, string>; status: number; length: string | null }[] =
    [];
  const target: AgentTarget = {
    url: api.url,
    token,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      requests.push({
        url: String(input),
        headers: { ...(init?.headers as Record<string, string>) },
        status: response.status,
        length: response.headers.get('content-length'),
      });
      return response;
    },
  };
  return { target, requests };
}

beforeAll(async () => {
  api = await startTestApi();
  dir = await mkdtemp(join(tmpdir(), 'py-desktop-download-'));
  const data = randomBytes(3 * 1024 * 1024 + 17);
  big = { data, manifest: await artifact(data) };
});

afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  downloads = await mkdtemp(join(dir, 'to-'));
});

describe('downloadArtifact against a real agent', () => {
  it('downloads the whole artifact with the token, reports progress and checks the sha256', async () => {
    const { target, requests } = agent();
    const destination = join(downloads, 'whole.sql.zst');
    const progress: DownloadBytes[] = [];
    let verifying = 0;
    const result = await downloadArtifact({
      agent: target,
      artifactId: big.manifest.artifactId,
      destination,
      onProgress: (bytes) => progress.push(bytes),
      onVerifying: () => verifying++,
    });
    expect(result).toEqual({ path: destination, bytes: big.data.length, resumedFrom: 0, checked: 'sha256' });
    expect((await readFile(destination)).equals(big.data)).toBe(true);
    expect(await readdir(downloads)).toEqual(['whole.sql.zst']);
    expect(requests.map((request) => new URL(request.url).pathname)).toEqual([
      '/api/trpc/artifacts.get',
      `/api/artifacts/${big.manifest.artifactId}/download`,
    ]);
    expect(
      requests.every((request) => request.headers.authorization === `Bearer ${secrets.viewerToken}`),
    ).toBe(true);
    expect(progress.at(-1)).toEqual({ receivedBytes: big.data.length, totalBytes: big.data.length });
    expect(progress.length).toBeGreaterThan(2);
    const received = progress.map((bytes) => bytes.receivedBytes);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(verifying).toBe(1);
  });

  it('resumes an interrupted download: only the missing bytes are requested', async () => {
    const { target, requests } = agent();
    const destination = join(downloads, 'resumed.sql.zst');
    const kept = 1_234_567;
    await writeFile(partPath(destination, big.manifest), big.data.subarray(0, kept));
    const progress: DownloadBytes[] = [];
    const result = await downloadArtifact({
      agent: target,
      artifactId: big.manifest.artifactId,
      destination,
      onProgress: (bytes) => progress.push(bytes),
    });
    expect(result).toMatchObject({ bytes: big.data.length, resumedFrom: kept, checked: 'sha256' });
    const download = requests.at(-1)!;
    expect(download.headers.range).toBe(`bytes=${kept}-`);
    expect(download.headers['if-range']).toBe(`"${big.manifest.sha256}"`);
    expect(download.status).toBe(206);
    expect(download.length).toBe(String(big.data.length - kept));
    expect(progress[0]).toEqual({ receivedBytes: kept, totalBytes: big.data.length });
    expect((await readFile(destination)).equals(big.data)).toBe(true);
    await expect(stat(partPath(destination, big.manifest))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('starts over when the partial file is longer than the artifact', async () => {
    const { target, requests } = agent();
    const destination = join(downloads, 'too-long.sql.zst');
    await writeFile(partPath(destination, big.manifest), Buffer.alloc(big.data.length + 10));
    const result = await downloadArtifact({
      agent: target,
      artifactId: big.manifest.artifactId,
      destination,
    });
    expect(result.resumedFrom).toBe(0);
    expect(requests.at(-1)!.headers.range).toBeUndefined();
    expect((await readFile(destination)).equals(big.data)).toBe(true);
  });

  it('fails a damaged artifact and never leaves a final file', async () => {
    const data = randomBytes(512 * 1024);
    const manifest = await artifact(data);
    // Damage after the manifest was written: one flipped byte in the middle of the stored object.
    const damaged = Buffer.from(data);
    damaged[200_000]! ^= 0xff;
    await writeFile(storedFile(manifest), damaged);
    const destination = join(downloads, 'damaged.sql.zst');
    const { target } = agent();

    // The agent checks whole reads itself and breaks the response off before the last chunk.
    const first = downloadArtifact({ agent: target, artifactId: manifest.artifactId, destination });
    await expect(first).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    await expect(first).rejects.toThrow(/broke off after \d+ of 524288 bytes/);
    const kept = (await stat(partPath(destination, manifest))).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(data.length);

    // The next attempt resumes (ranges are not checked by the agent): our sha256 check fails.
    const second = downloadArtifact({ agent: target, artifactId: manifest.artifactId, destination });
    await expect(second).rejects.toMatchObject({ code: 'INTEGRITY_FAILED' });
    await expect(second).rejects.toThrow(
      `received ${data.length} bytes with sha256 ${createHashOf(damaged)}, the manifest says ${data.length} bytes with ${manifest.sha256}; the partial file was deleted`,
    );
    expect(await readdir(downloads)).toEqual([]);
  });

  it('fails a partial file of its name that is not the artifact, and deletes it', async () => {
    const destination = join(downloads, 'foreign.sql.zst');
    await writeFile(partPath(destination, big.manifest), randomBytes(1000));
    const { target } = agent();
    await expect(
      downloadArtifact({ agent: target, artifactId: big.manifest.artifactId, destination }),
    ).rejects.toMatchObject({ code: 'INTEGRITY_FAILED' });
    expect(await readdir(downloads)).toEqual([]);
  });

  // Any `<name>.part` was resumed from: another artifact's partial bytes, or a user's own file,
  // were appended to, then deleted when the sha256 failed.
  it("never touches a .part that is not this artifact's, and downloads beside it", async () => {
    const destination = join(downloads, 'shared-name.sql.zst');
    const other = { sha256: 'f'.repeat(64) };
    await writeFile(`${destination}.part`, 'a file of the user');
    await writeFile(partPath(destination, other), 'half of another artifact');
    const { target, requests } = agent();
    const result = await downloadArtifact({
      agent: target,
      artifactId: big.manifest.artifactId,
      destination,
    });
    expect(result.resumedFrom).toBe(0);
    expect(requests.at(-1)!.headers.range).toBeUndefined();
    expect(await readFile(`${destination}.part`, 'utf8')).toBe('a file of the user');
    expect(await readFile(partPath(destination, other), 'utf8')).toBe('half of another artifact');
    expect((await readFile(destination)).equals(big.data)).toBe(true);
  });

  // The size was compared only once the response ended: an agent that did not stop filled the disk.
  it('stops at the first byte past the size the manifest says, and deletes the partial file', async () => {
    const destination = join(downloads, 'endless.sql.zst');
    const { target } = agent();
    const manifest = { ...big.manifest, storedBytes: 1000 };
    await expect(
      downloadArtifact({ agent: target, artifactId: manifest.artifactId, destination, manifest }),
    ).rejects.toMatchObject({
      code: 'INTEGRITY_FAILED',
      message: expect.stringContaining('sent more than the 1000 bytes its manifest says'),
    });
    expect(await readdir(downloads)).toEqual([]);
  });

  it('cancels: the request stops and no file is left', async () => {
    const controller = new AbortController();
    const destination = join(downloads, 'cancelled.sql.zst');
    const { target } = agent();
    const received: number[] = [];
    const download = downloadArtifact({
      agent: target,
      artifactId: big.manifest.artifactId,
      destination,
      signal: controller.signal,
      onProgress: (bytes) => {
        received.push(bytes.receivedBytes);
        if (bytes.receivedBytes > 0) controller.abort();
      },
    });
    await expect(download).rejects.toMatchObject({
      code: 'CANCELLED',
      message: `the download of ${big.manifest.artifactId} was cancelled`,
    });
    expect(Math.max(...received)).toBeLessThan(big.data.length);
    expect(await readdir(downloads)).toEqual([]);
  });

  it('cancels before anything was fetched', async () => {
    const destination = join(downloads, 'early.sql.zst');
    const { target, requests } = agent();
    await expect(
      downloadArtifact({
        agent: target,
        artifactId: big.manifest.artifactId,
        destination,
        signal: AbortSignal.abort(),
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(requests).toEqual([]);
  });

  it('explains a wrong token (401) for the manifest and for the download itself', async () => {
    const destination = join(downloads, 'denied.sql.zst');
    const { target } = agent('pyt_wrong');
    const manifestFirst = downloadArtifact({
      agent: target,
      artifactId: big.manifest.artifactId,
      destination,
    });
    await expect(manifestFirst).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(manifestFirst).rejects.toThrow(
      `reading the manifest of ${big.manifest.artifactId}: the agent at ${api.url} answered 401: the API token is not valid (the API token was refused: check or replace it)`,
    );
    const direct = downloadArtifact({
      agent: target,
      artifactId: big.manifest.artifactId,
      destination,
      manifest: big.manifest,
    });
    await expect(direct).rejects.toThrow(
      `downloading ${big.manifest.artifactId}: the agent at ${api.url} answered 401: the API token is not valid`,
    );
    expect(await readdir(downloads)).toEqual([]);
  });

  it('names an unknown artifact', async () => {
    const { target } = agent();
    const unknown = '2020-01-01T00-00-00Z_aaaaaaaaaa';
    await expect(
      downloadArtifact({ agent: target, artifactId: unknown, destination: join(downloads, 'x') }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(`no artifact ${unknown}`),
    });
  });

  it('decompresses on the agent: the dump text, its size checked against rawBytes', async () => {
    const text = Buffer.from(`-- a dump\n${'INSERT INTO t VALUES (1);\n'.repeat(20_000)}`);
    const manifest = await artifact(zstdCompressSync(text), { rawBytes: text.length });
    const destination = join(downloads, 'plain.sql');
    await writeFile(partPath(destination, manifest), 'a stale partial file');
    const progress: DownloadBytes[] = [];
    const { target, requests } = agent();
    const result = await downloadArtifact({
      agent: target,
      artifactId: manifest.artifactId,
      destination,
      decompress: true,
      onProgress: (bytes) => progress.push(bytes),
    });
    expect(result).toEqual({
      path: destination,
      bytes: text.length,
      resumedFrom: 0,
      checked: 'agent-sha256+size',
    });
    expect((await readFile(destination)).equals(text)).toBe(true);
    expect(requests.at(-1)!.url).toMatch(/\/download\?decompress=1$/);
    expect(requests.at(-1)!.headers.range).toBeUndefined();
    expect(progress.at(-1)).toEqual({ receivedBytes: text.length, totalBytes: text.length });
    expect(await readdir(downloads)).toEqual(['plain.sql']);
  });

  it('fails a decompressed download of a damaged artifact and deletes the partial file', async () => {
    // Hex text compresses to about half: many chunks, so the agent has sent bytes before it
    // finds the damage at the end.
    const text = Buffer.from(randomBytes(250_000).toString('hex'));
    const stored = zstdCompressSync(text);
    const manifest = await artifact(stored, { rawBytes: text.length });
    const damaged = Buffer.from(stored);
    damaged[damaged.length - 20]! ^= 0x01;
    await writeFile(storedFile(manifest), damaged);
    const destination = join(downloads, 'damaged.sql');
    const { target } = agent();
    await expect(
      downloadArtifact({ agent: target, artifactId: manifest.artifactId, destination, decompress: true }),
      // Which check trips first depends on timing: the agent's sha256 check cutting the response
      // off, or the app's size check of what arrived. Either way, nothing is kept.
    ).rejects.toThrow(
      /broke off after \d+ of 500000 bytes .*stored bytes fail their sha256 check|failed its check: decompressed to \d+ bytes, the manifest says the dump was 500000 bytes/,
    );
    expect(await readdir(downloads)).toEqual([]);
  });
});

function createHashOf(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
