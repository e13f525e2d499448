import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../test/harness/process-alive.ts';
import { runToolForOutput, spawnTool } from './spawn-tool.ts';

const linux = process.platform === 'linux';

async function waitUntilDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(20);
  }
  return !isAlive(pid);
}

describe('spawnTool', () => {
  it('runs the tool itself under the PID it reports, with its output and exit code', async () => {
    expect(await runToolForOutput({ command: '/bin/echo', args: ['a b', 'c'] })).toBe('a b c\n');
    const tool = spawnTool({ command: '/bin/sleep', args: ['5'] });
    try {
      // Once past setpriv's exec: 8 ms as a rule, more on a busy machine.
      const argv = (): string[] => readFileSync(`/proc/${tool.child.pid}/cmdline`, 'utf8').split('\0');
      await expect.poll(() => argv()[0]).toBe('/bin/sleep');
      expect(argv().slice(0, 2)).toEqual(['/bin/sleep', '5']);
    } finally {
      tool.kill(0);
    }
    expect(await tool.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('names a program that does not exist TOOL_MISSING, by path or by name', async () => {
    for (const command of ['/nonexistent/pg_dump', 'port-yard-no-such-tool']) {
      await expect(spawnTool({ command, args: [] }).exited).rejects.toMatchObject({ code: 'TOOL_MISSING' });
    }
  });

  // A dump tool that outlived a killed agent would hold its transaction and locks on the server
  // until it finished; the real-server version of this is in test/orphan-tools.test.ts.
  it.runIf(linux)('takes the tool down with the process that started it, even on SIGKILL', async () => {
    const module = fileURLToPath(new URL('./spawn-tool.ts', import.meta.url));
    const script = `
      const { spawnTool } = await import(${JSON.stringify(module)});
      const tool = spawnTool({ command: '/bin/sleep', args: ['60'] });
      console.log(tool.child.pid);
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
      parent.once('exit', (code) => reject(new Error(`the parent exited early (${code})`)));
    });
    expect(isAlive(pid)).toBe(true);
    parent.kill('SIGKILL');
    const died = await waitUntilDead(pid, 5_000);
    if (!died) process.kill(pid, 'SIGKILL');
    expect(died).toBe(true);
  });
});
