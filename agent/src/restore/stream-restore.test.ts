import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '@port-yard/shared';
import { processCodec } from '../pipeline/compression.ts';
import { streamRestore } from './stream-restore.ts';

const stored = Buffer.alloc(4 << 20, 'x');
const manifest = {
  artifactId: '2026-11-27T07-00-00Z_abcdefghij',
  storedBytes: stored.length,
  sha256: createHash('sha256').update(stored).digest('hex'),
} as Manifest;

describe('streamRestore', () => {
  // A wrong age key: age stops reading and exits with its error a moment later. The feed into it
  // breaks first (EPIPE), and the restore must fail with age's error, which says "wrong key" and
  // tells the caller that another storage's copy would fail alike.
  it("fails with the decoder's own error, not the broken pipe, when it stopped reading", async () => {
    const restoring = streamRestore({
      source: Readable.from([stored]),
      manifest,
      decoder: processCodec(
        'sh',
        [
          '-c',
          'exec 0<&-; sleep 0.3; echo "age: error: no identity matched any of the recipients" >&2; exit 1',
        ],
        'age --decrypt',
        'ENCRYPT_FAILED',
      ),
      tool: { command: 'cat', args: [] },
      toolName: 'cat',
    });
    await expect(restoring).rejects.toMatchObject({
      code: 'ENCRYPT_FAILED',
      message: 'age --decrypt exited with code 1: age: error: no identity matched any of the recipients',
    });
  });
});
