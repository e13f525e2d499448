import { expect, it } from 'vitest';
import { formatDuration } from './format.ts';

it('formatDuration: a fraction of a second is "<1s", not "0s"', () => {
  expect(formatDuration(0)).toBe('0s');
  expect(formatDuration(230)).toBe('<1s');
  expect(formatDuration(600)).toBe('1s');
  expect(formatDuration(90_000)).toBe('1m 30s');
});
