import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStagedDump } from './load-staged-dump.ts';

let dir: string;
let path: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-load-staged-'));
  path = join(dir, 'dump.sql');
  await writeFile(path, 'SELECT 1;\n');
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
});
