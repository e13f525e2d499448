import { fstatSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createOsPipe } from './os-pipe.ts';
import { spawnTool } from './spawn-tool.ts';

/** The kernel pipe between two real processes, as a shell's `a | b`. */
describe('createOsPipe', () => {
  it('joins two processes: the reader gets every byte and the end', async () => {
    const pipe = (await createOsPipe())!;
    expect(fstatSync(pipe.readFd).isFIFO()).toBe(true);
    const writer = spawnTool({ command: 'seq', args: ['1', '100000'] }, { stdout: pipe.writeFd });
    const reader = spawnTool({ command: 'wc', args: ['-l'] }, { stdin: pipe.readFd, stdout: 'pipe' });
    pipe.close();
    let counted = '';
    reader.child.stdout!.on('data', (chunk: Buffer) => (counted += chunk.toString()));
    expect(await writer.exited).toEqual({ code: 0, signal: null });
    expect(await reader.exited).toEqual({ code: 0, signal: null });
    expect(counted.trim()).toBe('100000');
  });

  it('gives the writer SIGPIPE once the reader is gone (our copies are closed)', async () => {
    const pipe = (await createOsPipe())!;
    const writer = spawnTool({ command: 'yes', args: [] }, { stdout: pipe.writeFd });
    const reader = spawnTool(
      { command: 'head', args: ['-c', '10'] },
      { stdin: pipe.readFd, stdout: 'ignore' },
    );
    pipe.close();
    expect(await reader.exited).toEqual({ code: 0, signal: null });
    expect(await writer.exited).toEqual({ code: null, signal: 'SIGPIPE' });
  });

  it('leaves no name behind, and close is idempotent', async () => {
    const pipe = (await createOsPipe())!;
    pipe.close();
    pipe.close();
    expect(() => fstatSync(pipe.readFd)).toThrow();
  });
});
