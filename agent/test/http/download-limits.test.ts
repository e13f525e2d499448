import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '@port-yard/shared';
import type { RunningApi } from '../../src/http/start-api.ts';
import { createFilesystemStorage } from '../../src/storage/filesystem-storage.ts';
import { waitFor } from '../harness/wait-for.ts';
import { fetchBytes, openFilesUnder, putArtifact, startDownloadAgent } from './download-fixture.ts';

/**
 * What downloads may hold, against a real API: a client that stops reading is cut off, and
 * decoded downloads (a decoder process each) are limited in number. Both held files and
 * processes until the agent ran out of them.
 */
let dir: string;
let agent: Awaited<ReturnType<typeof startDownloadAgent>> | undefined;
let api: RunningApi;
let zeros: Manifest;

const url = (id: string, query = ''): string => `${api.url}/api/artifacts/${id}/download${query}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-download-limits-'));
  const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
  // 64 MiB of dump from a few KiB stored: more than any socket buffer takes.
  zeros = await putArtifact([local], zstdCompressSync(Buffer.alloc(64 * 1024 * 1024)));
  agent = await startDownloadAgent(
    {
      storages: { local: { type: 'filesystem', path: join(dir, 'local') } },
      targets: {},
    },
    { downloadLimits: { idleMs: 500, decoders: 1 } },
  );
  api = agent.api;
});

afterAll(async () => {
  await agent?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A decoded download whose client reads nothing after the headers. */
function stalled(): Promise<{ request: ClientRequest; response: IncomingMessage; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request(url(zeros.artifactId, '?decompress=1'), (response) => {
      response.pause();
      const closed = new Promise<void>((done) => response.socket.once('close', () => done()));
      resolve({ request: req, response, closed });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('download limits', () => {
  it('refuses a decoded download past the limit with 503, and serves one again when a place is free', async () => {
    const first = await stalled();
    expect(first.response.statusCode).toBe(200);
    const refused = await fetchBytes(url(zeros.artifactId, '?decompress=1'));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(JSON.parse(refused.body.toString()).error.message).toMatch(/1 decompressed downloads are running/);
    // As stored, it is served meanwhile.
    expect((await fetchBytes(url(zeros.artifactId))).status).toBe(200);
    first.request.destroy();
    await first.closed;
    await waitFor('the place to be free', async () => {
      const again = await fetchBytes(url(zeros.artifactId, '?decompress=1'));
      return again.status === 200 && again.body.length === 64 * 1024 * 1024;
    });
  });

  it('ends a download whose client takes nothing, and lets go of its file and decoder', async () => {
    const client = await stalled();
    expect(await decoders()).toHaveLength(1);
    await waitFor('the agent to end the download', async () => (await decoders()).length === 0);
    expect(await openFilesUnder(dir)).toEqual([]);
    expect((await fetchBytes(url(zeros.artifactId, '?decompress=1'))).status).toBe(200);
    expect(client.request.destroyed).toBe(false);
    client.request.destroy();
  });
});

/** The zstd processes this process started that still run. */
async function decoders(): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (match?.[1] === 'zstd' && Number(match[2]) === process.pid) found.push(pid);
  }
  return found;
}
