import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { oneAtATime } from './one-at-a-time.ts';

describe('oneAtATime', () => {
  it('runs each call after the one before has settled, a failure included, in order', async () => {
    const events: string[] = [];
    // The first call is the slow one: alone, it would end last and win.
    const durations = [60, 5, 5];
    let calls = 0;
    const reload = oneAtATime(async () => {
      const call = calls++;
      events.push(`start ${call}`);
      await delay(durations[call]!);
      events.push(`end ${call}`);
      if (call === 1) throw new Error('invalid config');
      return call;
    });
    const results = await Promise.allSettled([reload(), reload(), reload()]);
    expect(events).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
