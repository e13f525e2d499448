import { describe, expect, it } from 'vitest';
import { createFirstFailure } from './first-failure.ts';

describe('createFirstFailure', () => {
  it('keeps the first failure and stops every part once', () => {
    const failure = createFirstFailure(undefined, 'backup', 'dump');
    const stopped: string[] = [];
    failure.onStop(() => stopped.push('dump tool'));
    failure.fail(new Error('first'));
    failure.fail(new Error('second'));
    expect((failure.error as Error).message).toBe('first');
    expect(stopped).toEqual(['dump tool']);
  });

  it('stops at once a part started after a cancel', () => {
    const cancel = new AbortController();
    cancel.abort();
    const failure = createFirstFailure(cancel.signal, 'restore', 'restore');
    const stopped: string[] = [];
    failure.onStop(() => stopped.push('pg_restore'));
    expect(stopped).toEqual(['pg_restore']);
    expect(failure.error).toMatchObject({ code: 'CANCELLED', message: 'the restore was cancelled' });
  });
});
