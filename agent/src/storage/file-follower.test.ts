import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnTool } from '../platform/spawn-tool.ts';
import { followFile } from './file-follower.ts';

/** Following a file that a real child process appends to, in bursts. */
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function tempFile(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'py-follow-'));
  folders.push(folder);
  return join(folder, 'file');
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('followFile', () => {
  it('hashes what a writer appends while it writes, and the rest at finish', async () => {
    const path = await tempFile();
    const handle = await open(path, 'wx');
    const follower = followFile(handle, path, { everyMs: 5, syncEveryBytes: 100_000 });
    // 30 bursts of 64 KiB of random bytes with pauses: the follower reads between them.
    const writer = spawnTool(
      {
        command: 'sh',
        args: ['-c', 'for i in $(seq 1 30); do head -c 65536 /dev/urandom; sleep 0.02; done'],
      },
      { stdout: handle.fd },
    );
    expect(await writer.exited).toEqual({ code: 0, signal: null });
    const result = await follower.finish();
    await handle.close();
    const bytes = await readFile(path);
    expect(bytes.length).toBe(30 * 65536);
    expect(result).toEqual({ bytes: bytes.length, sha256: sha256(bytes) });
  });

  it('finishes a file that was written before the first look, and an empty one', async () => {
    for (const content of ['some bytes\n', '']) {
      const path = await tempFile();
      const handle = await open(path, 'wx');
      const follower = followFile(handle, path, { everyMs: 60_000 });
      await handle.write(content);
      expect(await follower.finish()).toEqual({
        bytes: Buffer.byteLength(content),
        sha256: sha256(Buffer.from(content)),
      });
      await handle.close();
    }
  });

  it('reports a failure to read the file at finish', async () => {
    const path = await tempFile();
    const handle = await open(path, 'wx');
    const follower = followFile(handle, path, { everyMs: 5 });
    await unlink(path);
    await expect(follower.finish()).rejects.toMatchObject({ code: 'ENOENT' });
    await handle.close();
  });

  it('stops without reading on', async () => {
    const path = await tempFile();
    const handle = await open(path, 'wx');
    const follower = followFile(handle, path, { everyMs: 5 });
    await handle.write('x'.repeat(1000));
    await follower.stop();
    await handle.close();
  });
});
