import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isScriptOrUnknown } from './script-file.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-script-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('isScriptOrUnknown', () => {
  it('tells a wrapper script from a compiled program, and doubts what it cannot read', async () => {
    const wrapper = join(dir, 'pg_dump');
    await writeFile(wrapper, '#!/bin/sh\nexec /usr/bin/true "$@"\n');
    await chmod(wrapper, 0o755);
    expect(await isScriptOrUnknown(wrapper)).toBe(true);
    expect(await isScriptOrUnknown(process.execPath)).toBe(false);
    expect(await isScriptOrUnknown(join(dir, 'missing'))).toBe(true);
  });
});
