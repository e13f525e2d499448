import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCodec, type CodecStream } from './compression.ts';

/** Feeds `bytes` through a codec stage and returns what comes out. */
async function through(stage: CodecStream, bytes: Buffer): Promise<Buffer> {
  const out = buffer(stage.output);
  Readable.from([bytes]).pipe(stage.input);
  const [result] = await Promise.all([out, stage.finished]);
  return result;
}

const text = Buffer.from('port-yard '.repeat(10_000));

describe('node:zlib, where neither the zstd nor the pigz program is installed', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('compresses zstd that the zstd format reads, and decompresses it', async () => {
    vi.stubEnv('PATH', '/nonexistent');
    const codec = await createCodec('zstd', 5);
    expect(codec).toMatchObject({ implementation: 'node:zlib', suffix: '.zst', level: 5 });
    expect(codec.compressFrom).toBeUndefined();
    const compressed = await through(codec.compress(), text);
    expect(zstdDecompressSync(compressed)).toEqual(text);
    expect(await through(codec.decompress(), compressed)).toEqual(text);
  });

  it('compresses gzip, and decompresses it', async () => {
    vi.stubEnv('PATH', '/nonexistent');
    const codec = await createCodec('gzip');
    expect(codec).toMatchObject({ implementation: 'node:zlib', suffix: '.gz', level: 6 });
    const compressed = await through(codec.compress(), text);
    expect(gunzipSync(compressed)).toEqual(text);
    expect(await through(codec.decompress(), compressed)).toEqual(text);
  });
});
