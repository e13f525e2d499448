import { describe, expect, it } from 'vitest';
import { durationMs } from '@port-yard/shared';
import { maxTimerMs, timerDelay } from './timer-delay.ts';

describe('timerDelay', () => {
  it("caps a config duration at Node's longest timer, and leaves shorter ones as they are", () => {
    expect(timerDelay(durationMs('1mo')!)).toBe(maxTimerMs);
    expect(timerDelay(durationMs('1y')!)).toBe(maxTimerMs);
    expect(timerDelay(durationMs('24d')!)).toBe(24 * 86_400_000);
  });
});
