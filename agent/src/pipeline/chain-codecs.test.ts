import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { chainCodecs } from './chain-codecs.ts';
import { processCodec } from './compression.ts';

describe('chainCodecs', () => {
  // The second stage stops reading and exits with its error a moment later: the first stage's
  // output breaks on it first (EPIPE), and the chain must fail with the second stage's error.
  it("fails with the second stage's own error, not the broken pipe between the stages", async () => {
    const chain = chainCodecs(
      processCodec('cat', [], 'age --decrypt', 'ENCRYPT_FAILED'),
      processCodec('sh', ['-c', 'exec 0<&-; sleep 0.3; echo "zstd: unknown header" >&2; exit 1'], 'zstd -d'),
    );
    chain.output.resume();
    const feeding = pipeline(Readable.from([Buffer.alloc(4 << 20)]), chain.input).catch(() => undefined);
    await expect(chain.finished).rejects.toMatchObject({
      code: 'COMPRESS_FAILED',
      message: 'zstd -d exited with code 1: zstd: unknown header',
    });
    chain.kill();
    await feeding;
  });

  // A wrong age key: age fails, and zstd -d then fails too on the empty input it was left.
  it("fails with the first stage's error when the second fails only on the input it was left", async () => {
    const chain = chainCodecs(
      processCodec(
        'sh',
        ['-c', 'echo "age: error: no identity matched any of the recipients" >&2; exit 1'],
        'age --decrypt',
        'ENCRYPT_FAILED',
      ),
      processCodec('zstd', ['-q', '-d', '-c'], 'zstd -d'),
    );
    chain.output.resume();
    const feeding = pipeline(Readable.from([Buffer.alloc(4 << 20)]), chain.input).catch(() => undefined);
    await expect(chain.finished).rejects.toMatchObject({
      code: 'ENCRYPT_FAILED',
      message: 'age --decrypt exited with code 1: age: error: no identity matched any of the recipients',
    });
    chain.kill();
    await feeding;
  });
});
