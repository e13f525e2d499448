import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandOf, serveEnvironment } from '../bin/serve-malloc.js';
import { spawnServe } from './harness/cli-process.ts';

/**
 * `serve` starts itself over once, in place, with glibc's mmap threshold fixed (serve-malloc.js):
 * the long-running agent's memory then stays flat. The one-shot commands are left as they are.
 */
describe('which command line gets the fixed malloc threshold', () => {
  it.for([
    [['serve'], 'serve'],
    [['--config', 'serve', 'backup', 'serve'], 'backup'],
    [['-c', 'x.yaml', 'serve', '--log-format', 'json'], 'serve'],
    [['--config=x.yaml', 'serve'], 'serve'],
    [['--help'], undefined],
  ] as const)('%j is the command %s', ([args, command]) => {
    expect(commandOf(args)).toBe(command);
  });

  it('only serve, only on Linux, and never over a value the user set', () => {
    expect(serveEnvironment(['serve'], { PATH: '/bin' }, 'linux')).toEqual({
      PATH: '/bin',
      MALLOC_MMAP_THRESHOLD_: '131072',
    });
    expect(serveEnvironment(['backup', 'shop'], {}, 'linux')).toBeUndefined();
    expect(serveEnvironment(['serve'], {}, 'darwin')).toBeUndefined();
    expect(serveEnvironment(['serve'], { MALLOC_MMAP_THRESHOLD_: '65536' }, 'linux')).toBeUndefined();
  });
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-serve-malloc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('port-yard serve', () => {
  it('runs with the threshold set, as the process it was started as', async () => {
    const config = join(dir, 'port-yard.yaml');
    await writeFile(
      config,
      [
        'version: 1',
        'server: { host: 127.0.0.1, port: 0 }',
        'storages:',
        '  local: { type: filesystem, path: ./backups }',
        '',
      ].join('\n'),
    );
    const { child, exited, untilLogged } = spawnServe(config);
    try {
      await untilLogged('agent started');
      const environ = (await readFile(`/proc/${child.pid}/environ`, 'utf8')).split('\0');
      expect(environ).toContain('MALLOC_MMAP_THRESHOLD_=131072');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
