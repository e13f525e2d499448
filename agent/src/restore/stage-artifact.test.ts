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
});
