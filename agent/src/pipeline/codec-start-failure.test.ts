import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const nodeBin = join(import.meta.dirname, '../../../node_modules/.bin/node');

/** Run in a process of its own with few files allowed: it takes all that are left, then starts zstd. */
const script = `
import { closeSync, openSync } from 'node:fs';
import { createCodec } from ${JSON.stringify(join(import.meta.dirname, 'compression.ts'))};
const codec = await createCodec('zstd');
const held = [];
try { for (;;) held.push(openSync('/dev/null', 'r')); } catch {}
let message;
try { codec.decompress(); message = 'started'; } catch (error) { message = error.code + ': ' + error.message; }
for (const fd of held) closeSync(fd);
console.log(message);
`;

// Its pipes were undefined, and a download failed with "The body argument must be of type function".
it('says a decoder could not start when the system refuses its pipes', () => {
  const run = spawnSync(
    'bash',
    ['-c', `ulimit -n 64 && exec "${nodeBin}" --input-type=module -e "$0"`, script],
    {
      encoding: 'utf8',
    },
  );
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe(
    'COMPRESS_FAILED: could not start zstd -d: the system gave it no pipes (too many open files or processes?)',
  );
});
