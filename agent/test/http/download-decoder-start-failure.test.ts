import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PortYardError, type Manifest } from '@port-yard/shared';
import { createFilesystemStorage } from '../../src/storage/filesystem-storage.ts';
import { fetchBytes, openFilesUnder, putArtifact, startDownloadAgent } from './download-fixture.ts';

/**
 * Fault injection: the decoder of a `decompress=1` download fails to start (the agent is out of
 * file descriptors, say) after the storage read was opened and the status sent. The read must be
 * let go of: nothing else consumes it, and each such request would otherwise keep an artifact file
 * open. (Two things close it: the route destroys the source, and the response, broken off after
 * its status, aborts the read's signal; either alone passes this test.)
 */
vi.mock('../../src/http/download-decoder.ts', () => ({
  decoderFor: async () => () => {
    throw new PortYardError('COMPRESS_FAILED', 'zstd could not start: spawn EMFILE');
  },
}));

let dir: string;
let agent: Awaited<ReturnType<typeof startDownloadAgent>> | undefined;
let artifact: Manifest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-download-start-'));
  const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
  artifact = await putArtifact([local], zstdCompressSync(Buffer.alloc(4 * 1024 * 1024, 7)));
  agent = await startDownloadAgent({ storages: { local: { type: 'filesystem', path: join(dir, 'local') } } });
});

afterAll(async () => {
  await agent?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a decoded download whose decoder cannot start', () => {
  it('answers with the error and closes the artifact file it had opened', async () => {
    const url = `${agent!.api.url}/api/artifacts/${artifact.artifactId}/download?decompress=1`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await fetchBytes(url).catch((error: Error) => error);
      expect(result).not.toMatchObject({ status: 200 });
    }
    // A file read stream closes its descriptor asynchronously after destroy().
    await vi.waitFor(async () => expect(await openFilesUnder(dir)).toEqual([]), { timeout: 2000 });
  });
});
