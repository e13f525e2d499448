import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from './logger.ts';

const clock = () => new Date('2026-11-26T03:28:22.123Z');

function capture(json: boolean) {
  const lines: string[] = [];
  return { lines, log: createLogger({ json, clock, write: (line) => lines.push(line) }) };
}

describe('the logger', () => {
  it('writes one JSON object per line with level, time, message and fields', () => {
    const { lines, log } = capture(true);
    log.info('run succeeded', { target: 'shop', bytes: 12, skipped: undefined });
    log.warn('slow');
    log.error('run failed', { nested: { a: [1] } });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: 'info', time: '2026-11-26T03:28:22.123Z', msg: 'run succeeded', target: 'shop', bytes: 12 },
      { level: 'warn', time: '2026-11-26T03:28:22.123Z', msg: 'slow' },
      { level: 'error', time: '2026-11-26T03:28:22.123Z', msg: 'run failed', nested: { a: [1] } },
    ]);
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
  });

  it('lets a field named time replace the time, and keeps level and msg fields apart', () => {
    const { lines, log } = capture(true);
    log.info('audit: login', { time: '2026-01-01T00:00:00.000Z', level: 'x', msg: 'y' });
    const text = lines[0]!;
    expect(text.match(/"time"/g)).toHaveLength(1);
    expect(JSON.parse(text)).toMatchObject({
      level: 'info',
      msg: 'audit: login',
      time: '2026-01-01T00:00:00.000Z',
      'field.level': 'x',
      'field.msg': 'y',
    });
  });

  it('survives values JSON.stringify cannot take', () => {
    const { lines, log } = capture(true);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    log.info('odd', { big: 10n, cycle });
    expect(JSON.parse(lines[0]!)).toMatchObject({ big: 10, cycle: { self: '[Circular]' } });
  });

  it('writes readable single lines as text, without colour when not on a terminal', () => {
    const { lines, log } = capture(false);
    log.info('API listening', { url: 'http://127.0.0.1:8420' });
    log.error('bad');
    expect(lines).toEqual([
      '[2026-11-26T03:28:22.123Z] INFO: API listening {"url":"http://127.0.0.1:8420"}',
      '[2026-11-26T03:28:22.123Z] ERROR: bad',
    ]);
  });

  it('has a silent variant', () => {
    expect(() => silentLogger.error('nothing', { a: 1 })).not.toThrow();
  });
});

describe('the logger writing to stdout', () => {
  // `serve | tee log` whose tee ended, a log shipper that died: lines are lost, the agent is not.
  it('goes on when the reader of stdout went away', async () => {
    const script = [
      `import { createLogger } from ${JSON.stringify(join(import.meta.dirname, 'logger.ts'))};`,
      'const log = createLogger({ json: true });',
      "for (let i = 0; i < 100; i++) { log.info('line', { i }); await new Promise((r) => setTimeout(r, 2)); }",
      "process.stderr.write('still here');",
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).toBe('still here');
    expect(code).toBe(0);
  });
});
