import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStagedDump } from './load-staged-dump.ts';

let dir: string;
let path: string;
let bigPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-load-staged-'));
  path = join(dir, 'dump.sql');
  await writeFile(path, 'SELECT 1;\n');
  bigPath = join(dir, 'big.sql');
  await writeFile(bigPath, 'SELECT 1;\n'.repeat(200_000));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadStagedDump', () => {
  // The cancel came while the database was being prepared, before the tool started: a tool that
  // reads the file itself (pg_restore --jobs) must not run to its end regardless.
  it.for([true, false])(
    'stops at once when cancelled before the tool started (tool reads the file: %s)',
    async (toolReadsFile) => {
      const cancel = new AbortController();
      cancel.abort();
      const started = Date.now();
      const loading = loadStagedDump({
        path,
        tool: { command: '/bin/sleep', args: ['5'] },
        toolName: 'sleep',
        toolReadsFile,
        signal: cancel.signal,
      });
      await expect(loading).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(Date.now() - started).toBeLessThan(2_000);
    },
  );

  // The tool stops reading and exits with its SQL error a moment later: the write to it breaks
  // first (EPIPE), and the error reported must be the tool's, not the broken pipe's.
  it("reports the tool's own failure, not the broken pipe, when it stopped reading", async () => {
    const loading = loadStagedDump({
      path: bigPath,
      tool: {
        command: '/bin/sh',
        args: ['-c', 'exec 0<&-; sleep 0.3; echo "ERROR 1064 (42000) at line 1: syntax" >&2; exit 1'],
      },
      toolName: 'mariadb',
      toolReadsFile: false,
    });
    await expect(loading).rejects.toMatchObject({
      code: 'RESTORE_FAILED',
      message: 'mariadb exited with code 1: ERROR 1064 (42000) at line 1: syntax',
    });
  });
});
