import { describe, expect, it } from 'vitest';
import type { BackupRunResult, RunRecord } from '@port-yard/shared';
import { runLogFields } from './run-log-fields.ts';

const base: RunRecord = {
  id: 'run-1',
  target: 'shop',
  trigger: 'schedule',
  status: 'succeeded',
  queuedAt: '2026-11-26T03:00:00.000Z',
};
const result = (artifacts: BackupRunResult['artifacts']): BackupRunResult => ({
  runId: 'run-1',
  target: 'shop',
  status: 'succeeded',
  startedAt: '2026-11-26T03:00:00.000Z',
  finishedAt: '2026-11-26T03:00:05.000Z',
  artifacts,
  skipped: [],
  failures: [],
});

describe('runLogFields', () => {
  it('names the artifacts a backup made, with their database and size (no checksums, no storages)', () => {
    const artifact = {
      id: '2026-11-26T03-00-00Z_aaaaaaaaaa',
      database: 'shop',
      rawBytes: 1000,
      storedBytes: 300,
      sha256: 'a'.repeat(64),
      destinations: [{ storage: 'local', committed: true }],
    };
    expect(runLogFields({ ...base, result: result([artifact]) })).toEqual({
      kind: 'backup',
      target: 'shop',
      run: 'run-1',
      trigger: 'schedule',
      message: undefined,
      artifacts: [{ id: artifact.id, database: 'shop', storedBytes: 300 }],
    });
  });

  it('leaves artifacts out of a run that made none (skipped, failed, queued)', () => {
    const skipped = { ...base, status: 'skipped' as const, message: 'skipped, unchanged: shop since x' };
    expect(runLogFields({ ...skipped, result: result([]) })).not.toHaveProperty('artifacts');
    expect(runLogFields({ ...base, status: 'queued' })).toEqual({
      kind: 'backup',
      target: 'shop',
      run: 'run-1',
      trigger: 'schedule',
      message: undefined,
    });
  });
});
