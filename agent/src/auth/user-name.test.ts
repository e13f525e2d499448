import { describe, expect, it } from 'vitest';
import { canonicalUserName, userNameProblem } from './user-name.ts';

describe('user names', () => {
  it('have one canonical form for every variant a directory treats as the same user', () => {
    for (const variant of ['alice', 'ALICE', 'Alice', 'alice ', ' alice    ', 'ａｌｉｃｅ'])
      expect(canonicalUserName(variant)).toBe('alice');
    expect(canonicalUserName('Mary  Ann')).toBe('mary ann');
  });

  it('are refused with spaces at either end', () => {
    expect(userNameProblem('alice')).toBeUndefined();
    expect(userNameProblem('mary ann')).toBeUndefined();
    for (const spaced of ['alice ', ' alice', 'alice    ', 'alice\t'])
      expect(userNameProblem(spaced)).toMatch(/must not start or end with a space/);
  });
});
