import { describe, expect, it } from 'vitest';
import { FlagError, parseFlags, usage } from './flags.ts';

describe('bench flags', () => {
  it('times the running agent by default, and not with --no-agent', () => {
    expect(parseFlags([]).agent).toBe(true);
    expect(parseFlags(['--no-agent', '--no-s3'])).toMatchObject({ agent: false, s3: false });
    expect(usage).toContain('--no-agent');
  });

  it('measures 7 rounds by default: fewer leave the speed checks to the noise', () => {
    expect(parseFlags([]).reps).toBe(7);
    expect(parseFlags(['--reps', '3']).reps).toBe(3);
    expect(() => parseFlags(['--reps', '1'])).toThrow(/at least 2/);
  });

  it('names an unknown flag', () => {
    expect(() => parseFlags(['--no-agents'])).toThrow(FlagError);
    expect(() => parseFlags(['--no-agents'])).toThrow(/^unknown flag --no-agents/);
  });
});
