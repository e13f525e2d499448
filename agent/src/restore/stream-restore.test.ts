import { Readable } from 'node:stream';
import { zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fakeManifest } from '../../test/harness/fake-artifacts.ts';
import { createCodec, processCodec } from '../pipeline/compression.ts';
import { spawnTool } from '../platform/spawn-tool.ts';
import { streamRestore, toolExit } from './stream-restore.ts';

const stored = Buffer.alloc(4 << 20, 'x');
const manifest = fakeManifest('2026-11-27T07-00-00Z_abcdefghij', stored);

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

  // The restore tool fails on a SQL error and stops reading: the failed write into it closes the
  // decompressor's output, which then dies of SIGPIPE. The error must be the tool's.
  it.for([
    [
      'exits as it stops reading',
      'head -c 100000 > /dev/null; echo "ERROR 1064 (42000) at line 1" >&2; exit 1',
    ],
    ['exits a moment after', 'exec 0<&-; sleep 0.3; echo "ERROR 1064 (42000) at line 1" >&2; exit 1'],
  ])(
    "fails with the restore tool's own error when it %s, not the decompressor's SIGPIPE",
    async ([, script]) => {
      const compressed = zstdCompressSync(Buffer.alloc(64 << 20));
      const restoring = streamRestore({
        source: Readable.from([compressed]),
        manifest: fakeManifest(manifest.artifactId, compressed),
        decoder: (await createCodec('zstd')).decompress(),
        tool: { command: 'sh', args: ['-c', script!] },
        toolName: 'mariadb',
      });
      await expect(restoring).rejects.toMatchObject({
        code: 'RESTORE_FAILED',
        message: 'mariadb exited with code 1: ERROR 1064 (42000) at line 1',
      });
    },
  );

  // A storage whose stream breaks mid-read (a reset connection): the copy's storage failed, which
  // tells the restore to try another storage's copy; no restore tool error.
  it('fails with STORAGE_FAILED when the stored bytes stop coming mid-read', async () => {
    const source = new Readable({ read() {} });
    source.push(stored.subarray(0, 1 << 20));
    setTimeout(
      () => source.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })),
      100,
    );
    const restoring = streamRestore({
      source,
      manifest,
      decoder: processCodec('cat', [], 'cat'),
      tool: { command: 'cat', args: [] },
      toolName: 'cat',
    });
    await expect(restoring).rejects.toMatchObject({
      code: 'STORAGE_FAILED',
      message: 'reading the artifact failed: read ECONNRESET',
    });
  });
});

describe('toolExit', () => {
  // The mariadb client prints the failing statement between lines of dashes before the error:
  // the message must carry the error, not "--------------".
  it('names the stderr line that says what went wrong', async () => {
    const tool = spawnTool({
      command: 'sh',
      args: [
        '-c',
        'printf -- "--------------\\nINSERT INTO t VALUES (1,\\n--------------\\n\\nERROR 1064 (42000) at line 39: You have an error in your SQL syntax\\n" >&2; exit 1',
      ],
    });
    await expect(toolExit(tool, 'mariadb')).rejects.toMatchObject({
      code: 'RESTORE_FAILED',
      message:
        'mariadb exited with code 1: ERROR 1064 (42000) at line 39: You have an error in your SQL syntax',
    });
  });
});
