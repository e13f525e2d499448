import { mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeManifest } from '../../test/harness/fake-artifacts.ts';
import { processCodec } from '../pipeline/compression.ts';
import { createMemoryStorage } from '../pipeline/test-doubles.ts';
import { stageArtifact } from './stage-artifact.ts';

const stored = Buffer.alloc(4 << 20, 'x');
const manifest = fakeManifest('2026-11-27T07-00-00Z_abcdefghij', stored);

describe('stageArtifact', () => {
  // A wrong age key: age stops reading and exits with its error a moment later. The feed into it
  // breaks first (EPIPE); staging must fail with age's error (ENCRYPT_FAILED), which the restore
  // knows not to retry on another storage's copy.
  it("fails with the decoder's own error, not the broken pipe, when it stopped reading", async () => {
    const storage = createMemoryStorage();
    storage.objects.set('t/db/a.sql.zst.age', stored);
    const staging = stageArtifact(
      {
        storage,
        dataKey: 't/db/a.sql.zst.age',
        manifest,
        decoder: () =>
          processCodec(
            'sh',
            [
              '-c',
              'exec 0<&-; sleep 0.3; echo "age: error: no identity matched any of the recipients" >&2; exit 1',
            ],
            'age --decrypt',
            'ENCRYPT_FAILED',
          ),
      },
      manifest,
    );
    await expect(staging).rejects.toMatchObject({
      code: 'ENCRYPT_FAILED',
      message: 'age --decrypt exited with code 1: age: error: no identity matched any of the recipients',
    });
  });

  // A copy its storage cannot give (missing, unreachable): the next storage's copy is tried.
  // The staged file must not be opened before: its descriptor stayed open on a removed file.
  it('opens no staged file for a copy its storage cannot give', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'py-test-stage-'));
    try {
      const storage = createMemoryStorage();
      const missing = {
        ...storage,
        get: () => Promise.reject(new Error('NoSuchKey')),
      };
      const staging = stageArtifact(
        {
          storage: missing,
          dataKey: 't/db/a.sql.zst',
          manifest,
          decoder: () => processCodec('cat', [], 'zstd -d'),
        },
        manifest,
        { dir },
      );
      await expect(staging).rejects.toThrow('NoSuchKey');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const open = await Promise.all(
        (await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
      );
      expect(open.filter((target) => target.startsWith(dir))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
