import { zstdDecompressSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PortYardError } from '@port-yard/shared';
import { trailerCheck } from '../engines/completion-checks.ts';
import type { ToolCommand } from '../platform/spawn-tool.ts';
import { createCodec, processCodec } from './compression.ts';
import { zstdDirect, type DirectEnds } from './zstd-direct.ts';
import { streamDump, type StreamDumpRequest } from './stream-dump.ts';
import { createMemoryStorage } from './test-doubles.ts';

/** A stand-in dump tool: a shell script run with an argument array (the test's fault injector). */
const fakeDump = (script: string): ToolCommand => ({ command: 'sh', args: ['-c', script] });
const completeDump = fakeDump('seq 1 200000; echo "-- Dump completed on 2026-11-26"');

async function run(overrides: Partial<StreamDumpRequest> & Pick<StreamDumpRequest, 'dump'>) {
  const storage = createMemoryStorage();
  const request: StreamDumpRequest = {
    dumpName: 'fake-dump',
    completion: trailerCheck('-- Dump completed', 'fake-dump'),
    codec: await createCodec('zstd'),
    storages: [storage],
    key: 't/db/a.sql.zst',
    ...overrides,
  };
  return { storage, result: streamDump(request) };
}

describe('streamDump', () => {
  it('streams, compresses and hashes a complete dump into every storage', async () => {
    const second = createMemoryStorage({ name: 'second' });
    const first = createMemoryStorage();
    const result = await streamDump({
      dump: completeDump,
      dumpName: 'fake-dump',
      completion: trailerCheck('-- Dump completed', 'fake-dump'),
      codec: await createCodec('zstd'),
      storages: [first, second],
      key: 't/db/a.sql.zst',
    });
    const stored = first.objects.get('t/db/a.sql.zst')!;
    expect(second.objects.get('t/db/a.sql.zst')).toEqual(stored);
    expect(result.storedBytes).toBe(stored.length);
    expect(result.sha256).toBe(createHash('sha256').update(stored).digest('hex'));
    const raw = zstdDecompressSync(stored).toString();
    expect(raw.length).toBe(result.rawBytes);
    expect(raw).toMatch(/^1\n2\n/);
    expect(raw).toMatch(/-- Dump completed on 2026-11-26\n$/);
  });

  it('fails with the exit code and stderr tail when the dump tool exits non-zero, storing nothing', async () => {
    const { storage, result } = await run({
      dump: fakeDump('seq 1 1000; echo "Access denied for user" >&2; exit 2'),
    });
    await expect(result).rejects.toMatchObject({
      code: 'DUMP_FAILED',
      phase: 'dump',
      message: expect.stringContaining('exited with code 2'),
      stderrTail: expect.stringContaining('Access denied'),
    });
    expect(storage.objects.size).toBe(0);
  });

  it('fails when the dump lacks its completion trailer although the tool exited 0', async () => {
    // The trailer is checked where the dump's bytes pass through the agent (gzip, none, zlib).
    const { storage, result } = await run({ dump: fakeDump('seq 1 1000'), codec: await createCodec('gzip') });
    await expect(result).rejects.toMatchObject({
      code: 'DUMP_FAILED',
      message: expect.stringContaining('completion trailer'),
    });
    expect(storage.objects.size).toBe(0);
  });

  it('fails on an empty dump: never a 0-byte artifact', async () => {
    const { storage, result } = await run({ dump: fakeDump('exit 0') });
    await expect(result).rejects.toMatchObject({
      code: 'DUMP_FAILED',
      message: expect.stringContaining('wrote nothing'),
    });
    expect(storage.objects.size).toBe(0);
  });

  it('fails when the dump tool is killed by a signal mid-way', async () => {
    const { storage, result } = await run({ dump: fakeDump('seq 1 100000; kill -9 $$') });
    await expect(result).rejects.toMatchObject({
      code: 'DUMP_FAILED',
      message: expect.stringContaining('SIGKILL'),
    });
    expect(storage.objects.size).toBe(0);
  });

  it('reports a missing dump tool as TOOL_MISSING', async () => {
    const { storage, result } = await run({ dump: { command: '/nonexistent/mariadb-dump', args: [] } });
    await expect(result).rejects.toMatchObject({ code: 'TOOL_MISSING' });
    expect(storage.objects.size).toBe(0);
  });

  it('fails when the compressor fails, naming the compress phase', async () => {
    const codec = await createCodec('zstd');
    const broken = {
      ...codec,
      compressFrom: undefined,
      compress: () => ({
        ...codec.compress(),
        finished: Promise.reject(
          new PortYardError('COMPRESS_FAILED', 'zstd exited with code 1', { phase: 'compress' }),
        ),
      }),
    };
    const { storage, result } = await run({ dump: completeDump, codec: broken });
    await expect(result).rejects.toMatchObject({ code: 'COMPRESS_FAILED', phase: 'compress' });
    expect(storage.objects.size).toBe(0);
  });

  // The compressor stops reading and exits with its error a moment later: the dump's write into
  // it breaks first (EPIPE), and the failure reported must be the compressor's.
  it("reports the compressor's own failure, not the broken pipe, when it stopped reading", async () => {
    const codec = await createCodec('gzip');
    const quitting = {
      ...codec,
      compressFrom: undefined,
      compress: () =>
        processCodec('sh', ['-c', 'exec 0<&-; sleep 0.3; echo "pigz: write error" >&2; exit 1'], 'pigz'),
    };
    const { storage, result } = await run({ dump: completeDump, codec: quitting });
    await expect(result).rejects.toMatchObject({
      code: 'COMPRESS_FAILED',
      message: 'pigz exited with code 1: pigz: write error',
    });
    expect(storage.objects.size).toBe(0);
  });

  // age stops reading and exits with its error a moment later: the compressed stream's write
  // into it breaks first, which also breaks the compressor's output; age's error is the cause.
  it("reports the encryptor's own failure, not the broken pipes it left, when it stopped reading", async () => {
    const encryption = {
      suffix: '.age' as const,
      description: { algorithm: 'age' as const, recipients: [] },
      encrypt: () =>
        processCodec(
          'sh',
          ['-c', 'exec 0<&-; sleep 0.3; echo "age: error: bad recipient" >&2; exit 1'],
          'age',
          'ENCRYPT_FAILED',
        ),
    };
    const codec = { ...(await createCodec('zstd')), compressFrom: undefined };
    const { storage, result } = await run({ dump: completeDump, codec, encryption });
    await expect(result).rejects.toMatchObject({
      code: 'ENCRYPT_FAILED',
      message: 'age exited with code 1: age: error: bad recipient',
    });
    expect(storage.objects.size).toBe(0);
  });

  it('fails when the compressor reading the dump directly fails', async () => {
    const codec = {
      ...(await createCodec('zstd')),
      compressFrom: (ends: DirectEnds) => zstdDirect('/bin/false', 3, ends),
    };
    const { storage, result } = await run({ dump: completeDump, codec });
    await expect(result).rejects.toMatchObject({
      code: 'COMPRESS_FAILED',
      message: 'zstd exited with code 1',
    });
    expect(storage.objects.size).toBe(0);
  });

  it('fails with STORAGE_FAILED on a write error mid-stream and stops the dump', async () => {
    const storage = createMemoryStorage({ failAfterBytes: 1000 });
    const started = Date.now();
    const result = streamDump({
      dump: fakeDump('while true; do seq 1 100000; done'),
      dumpName: 'fake-dump',
      completion: trailerCheck('-- Dump completed', 'fake-dump'),
      codec: await createCodec('none'),
      storages: [storage],
      key: 't/db/a.sql',
    });
    await expect(result).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      phase: 'store',
      message: expect.stringContaining('injected write failure'),
    });
    expect(storage.objects.size).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('cancels on abort: children killed, nothing stored, CANCELLED reported', async () => {
    const controller = new AbortController();
    const storage = createMemoryStorage();
    const result = streamDump({
      dump: fakeDump('while true; do seq 1 1000; sleep 0.05; done'),
      dumpName: 'fake-dump',
      completion: trailerCheck('-- Dump completed', 'fake-dump'),
      codec: await createCodec('gzip'),
      storages: [storage],
      key: 't/db/a.sql.gz',
      signal: controller.signal,
      onBytes: (raw) => {
        if (raw > 20_000) controller.abort();
      },
    });
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(storage.objects.size).toBe(0);
  });
  it('stops at once on a cancel that lands while the pipe to zstd is being made', async () => {
    // The general path (a storage without openFileWriter) with zstd: the kernel pipe is made
    // before the dump starts. Whenever the abort comes, a dump that would run for 30 s is stopped.
    for (const delayMs of [0, 1, 2, 4, 8, 16]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), delayMs);
      const started = Date.now();
      const { storage, result } = await run({
        dump: fakeDump('sleep 30; echo "-- Dump completed"'),
        signal: controller.signal,
      });
      await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(storage.objects.size).toBe(0);
    }
  });
});

describe('streamDump to several destinations', () => {
  it('drops a destination that fails mid-stream and commits to the others (a partial outcome)', async () => {
    const healthy = createMemoryStorage({ name: 'local' });
    const failing = createMemoryStorage({ name: 'offsite', failAfterBytes: 10_000 });
    const result = await streamDump({
      dump: completeDump,
      dumpName: 'fake-dump',
      completion: trailerCheck('-- Dump completed', 'fake-dump'),
      codec: await createCodec('none'),
      storages: [healthy, failing],
      key: 't/db/a.sql',
    });
    expect(result.destinations).toEqual([
      { storage: 'local', committed: true },
      { storage: 'offsite', committed: false, error: expect.stringContaining('injected write failure') },
    ]);
    expect(healthy.objects.get('t/db/a.sql')!.length).toBe(result.storedBytes);
    expect(failing.objects.size).toBe(0);
  });

  // A destination that stops reading and never fails (an NFS share that hangs): given up after
  // stallMs, so the others still commit, instead of all waiting for the run's timeout.
  it('drops a destination that stops reading, and commits to the others', async () => {
    const healthy = createMemoryStorage({ name: 'local' });
    const hung = createMemoryStorage({ name: 'nfs' });
    const hanging: typeof hung = {
      ...hung,
      put: (_key, body) =>
        new Promise<never>((_resolve, reject) =>
          body.once('close', () => reject(body.errored ?? new Error('closed'))),
        ),
    };
    const result = await streamDump({
      dump: fakeDump('head -c 20000000 /dev/zero | tr "\\0" x; echo; echo "-- Dump completed"'),
      dumpName: 'fake-dump',
      completion: trailerCheck('-- Dump completed', 'fake-dump'),
      codec: await createCodec('none'),
      storages: [healthy, hanging],
      key: 't/db/a.sql',
      stallMs: 200,
    });
    expect(result.destinations).toEqual([
      { storage: 'local', committed: true },
      {
        storage: 'nfs',
        committed: false,
        error: expect.stringContaining('took no data for 200 ms while the others went on'),
      },
    ]);
    expect(healthy.objects.get('t/db/a.sql')!.length).toBe(result.storedBytes);
  });

  // A put that stored its object and then failed (its answer lost): when every destination
  // failed so, the run fails, and none of those objects may stay.
  it('removes the objects of puts that stored and then failed, also when the run fails', async () => {
    const storages = ['a', 'b'].map((name) => {
      const storage = createMemoryStorage({ name });
      const put = storage.put.bind(storage);
      storage.put = async (key, body, options) => {
        await put(key, body, options);
        throw new Error('CompleteMultipartUpload: HTTP 500 (3 attempts)');
      };
      return storage;
    });
    const result = streamDump({
      dump: completeDump,
      dumpName: 'fake-dump',
      completion: trailerCheck('-- Dump completed', 'fake-dump'),
      codec: await createCodec('none'),
      storages,
      key: 't/db/a.sql',
    });
    await expect(result).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
    expect(storages.map((storage) => storage.objects.size)).toEqual([0, 0]);
  });

  it('fails when every destination fails, naming each', async () => {
    const result = streamDump({
      dump: completeDump,
      dumpName: 'fake-dump',
      completion: trailerCheck('-- Dump completed', 'fake-dump'),
      codec: await createCodec('none'),
      storages: [
        createMemoryStorage({ name: 'a', failAfterBytes: 100 }),
        createMemoryStorage({ name: 'b', failAfterBytes: 5000 }),
      ],
      key: 't/db/a.sql',
    });
    await expect(result).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: expect.stringMatching(
        /every destination failed: .*storage a.*storage b|every destination failed: .*storage b.*storage a/,
      ),
    });
  });

  it('reports a failure even when a part never winds down (a stuck storage)', async () => {
    const stuck = createMemoryStorage({ name: 'stuck' });
    // A put that ignores its abort signal and never settles (it still listens for errors).
    stuck.put = (_key, body) => {
      body.on('error', () => undefined);
      return new Promise(() => undefined);
    };
    const started = Date.now();
    const { result } = await run({
      dump: fakeDump('seq 1 1000; exit 3'),
      storages: [stuck],
      settleAfterFailureMs: 200,
    });
    await expect(result).rejects.toMatchObject({ code: 'DUMP_FAILED' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
