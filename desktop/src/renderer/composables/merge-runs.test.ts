import { describe, expect, it } from 'vitest';
import type { RunRecord } from '@port-yard/shared';
import { mergeRuns } from './merge-runs.ts';

const run = (id: string, queuedAt: string, status: RunRecord['status']): RunRecord =>
  ({ id, target: 'shop', queuedAt, status }) as RunRecord;

describe('mergeRuns', () => {
  it('keeps fetched runs the live list no longer holds, the live state of the others, newest first', () => {
    const fetched = [run('b', '2026-11-27T10:00:00Z', 'running'), run('a', '2026-11-27T09:00:00Z', 'failed')];
    const live = [run('c', '2026-11-27T11:00:00Z', 'queued'), run('b', '2026-11-27T10:00:00Z', 'succeeded')];
    expect(mergeRuns(fetched, live).map((r) => `${r.id}:${r.status}`)).toEqual([
      'c:queued',
      'b:succeeded',
      'a:failed',
    ]);
  });
});
