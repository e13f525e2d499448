import { setTimeout as delay } from 'node:timers/promises';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PortYardError } from '@port-yard/shared';
import { describe, expect, it } from 'vitest';
import { chainCodecs, linkStages, startChained } from './chain-codecs.ts';
import { processCodec, type CodecStream } from './compression.ts';

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

  // A stage that dies in the middle of a write (age killed by the OOM killer) closes its stdin
  // before the write ends: Node names that a premature close, not a broken pipe (1 run in 40
  // with real processes). Its exit is still the cause.
  it("takes a premature close as the next stage's stopping to read: its exit says why", async () => {
    const input = new Writable({ write: (_chunk, _encoding, callback) => setTimeout(callback, 1000) });
    const died = new PortYardError('ENCRYPT_FAILED', 'age was killed by SIGKILL', { phase: 'compress' });
    const next: CodecStream = {
      input,
      output: new PassThrough(),
      finished: delay(50).then(() => Promise.reject(died)),
      kill: () => undefined,
    };
    next.finished.catch(() => undefined);
    const link = linkStages(Readable.from([Buffer.alloc(1024)]), next);
    setTimeout(() => input.destroy(), 10);
    await expect(link).rejects.toBe(died);
  });
});

describe('startChained', () => {
  it('stops the first stage when the second cannot start', async () => {
    // One that does not end at the end of its input: only a signal stops it.
    const first = processCodec('sh', ['-c', 'exec 0<&-; sleep 30'], 'age --decrypt', 'ENCRYPT_FAILED');
    const refused = new PortYardError('COMPRESS_FAILED', 'could not start zstd -d');
    expect(() =>
      startChained(
        () => first,
        () => {
          throw refused;
        },
      ),
    ).toThrow(refused);
    // SIGTERM, or SIGKILL a second later if it came before the stage had its process group.
    await expect(first.finished).rejects.toThrow(/age --decrypt was killed by SIG(TERM|KILL)/);
  });
});
