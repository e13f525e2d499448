import { describe, expect, it } from 'vitest';
import type { RunProgress } from '@port-yard/shared';
import { createProgressLine } from './progress-line.ts';

const progress = {
  target: 'shop',
  database: 'orders',
  phase: 'dump',
  rawBytes: 2048,
  storedBytes: 1024,
  bytesPerSecond: 512,
  elapsedMs: 4000,
} as RunProgress;

function terminal(columns: number | undefined, isTTY = true) {
  const written: string[] = [];
  const stream = { isTTY, columns, write: (text: string) => written.push(text) };
  return { stream: stream as unknown as NodeJS.WriteStream, written };
}

describe('createProgressLine', () => {
  it('fits the line to the terminal, whole when the terminal says it has 0 columns', () => {
    const narrow = terminal(20);
    createProgressLine(narrow.stream).update(progress);
    expect(narrow.written[0]).toBe('\r\u001b[2Kshop/orders  dump  '); // 19 columns: the cursor takes the last
    const wide = terminal(500);
    createProgressLine(wide.stream).update(progress);
    const [wideLine] = wide.written;
    expect(wideLine?.startsWith('\r\u001b[2Kshop/orders  dump  ')).toBe(true);
    expect(wideLine).toMatch(/KiB read {2}\S+ KiB stored {2}.*\S$/);
    const zero = terminal(0);
    createProgressLine(zero.stream).update(progress);
    expect(zero.written).toEqual(wide.written);
  });

  it('writes nothing where stderr is not a terminal', () => {
    const piped = terminal(80, false);
    const line = createProgressLine(piped.stream);
    line.update(progress);
    line.clear();
    expect(piped.written).toEqual([]);
  });
});
