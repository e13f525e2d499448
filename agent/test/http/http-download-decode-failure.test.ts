import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '@port-yard/shared';
import type { RunningApi } from '../../src/http/start-api.ts';
import { createFilesystemStorage } from '../../src/storage/filesystem-storage.ts';
import { localMariadb } from '../harness/temp-agent.ts';
import { putArtifact, startDownloadAgent } from './download-fixture.ts';

/**
 * `decompress=1` when the decoder fails on bytes that match their manifest (the agent's age
 * identity is not the one the artifact was encrypted to; bytes that are not what the manifest's
 * compression says): the download must not end like a complete one, empty or short.
 */
let dir: string;
let agent: Awaited<ReturnType<typeof startDownloadAgent>> | undefined;
let api: RunningApi;
let wrongKey: Manifest;
let notZstd: Manifest;
let large: { manifest: Manifest; size: number };

const url = (id: string): string => `${api.url}/api/artifacts/${id}/download?decompress=1`;

/** Reads the whole response; rejects when it breaks off. */
async function download(id: string): Promise<{ status: number; body: Buffer }> {
  const response = await fetch(url(id));
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-download-decode-'));
  const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
  const keyOf = (file: string): string => {
    execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' });
    return execFileSync('age-keygen', ['-y', file]).toString().trim();
  };
  const usedKey = keyOf(join(dir, 'used.key'));
  const heldKey = keyOf(join(dir, 'held.key'));
  const dump = zstdCompressSync(Buffer.from('-- a dump\nCREATE TABLE t (id int);\n'));
  const sealed = execFileSync('age', ['--encrypt', '--recipient', usedKey], { input: dump });
  wrongKey = await putArtifact(
    [local],
    sealed,
    { target: 'vault', encryption: { algorithm: 'age', recipients: [usedKey] } },
    'sql.zst.age',
  );
  notZstd = await putArtifact([local], Buffer.from('plain text, not a zstd frame\n'.repeat(50)));
  const raw = randomBytes(24 * 1024 * 1024);
  large = { manifest: await putArtifact([local], zstdCompressSync(raw)), size: raw.length };

  agent = await startDownloadAgent({
    storages: { local: { type: 'filesystem', path: join(dir, 'local') } },
    targets: {
      vault: {
        ...localMariadb,
        databases: ['py_t_unused'],
        encryption: { recipients: [heldKey], identityFile: join(dir, 'held.key') },
      },
    },
  });
  api = agent.api;
});

afterAll(async () => {
  await agent?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a decoded download whose decoder fails', () => {
  it('an identity that does not match the artifact: an error, never an empty or short 200', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await download(wrongKey.artifactId).catch((error: Error) => error);
      expect(result).not.toMatchObject({ status: 200 });
    }
  });

  it('bytes that are not what the manifest says (not zstd): an error, never an empty 200', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await download(notZstd.artifactId).catch((error: Error) => error);
      expect(result).not.toMatchObject({ status: 200 });
    }
  });

  it('a decoder killed halfway: the download breaks off, it does not end short like a whole one', async () => {
    const response = await fetch(url(large.manifest.artifactId));
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let received = (await reader.read()).value?.length ?? 0;
    // The zstd CLI decoding for this request: a child of this process (the agent runs in it).
    const pids = execFileSync('pgrep', ['-P', String(process.pid), '-x', 'zstd'])
      .toString()
      .trim();
    expect(pids).not.toBe('');
    for (const pid of pids.split('\n')) process.kill(Number(pid), 'SIGKILL');
    const outcome = await (async () => {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return 'ended';
        received += chunk.value.length;
      }
    })().catch(() => 'broke off');
    expect(received).toBeLessThan(large.size);
    expect(outcome).toBe('broke off');
  });
});
