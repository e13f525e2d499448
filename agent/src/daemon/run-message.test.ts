import type { BackupRunResult } from '@port-yard/shared';
import { expect, it } from 'vitest';
import { runMessage } from './run-message.ts';

const result = (overrides: Partial<BackupRunResult>): BackupRunResult => ({
  runId: 'r1',
  target: 'shop',
  status: 'succeeded',
  startedAt: '2026-11-27T03:00:00Z',
  finishedAt: '2026-11-27T03:00:05Z',
  artifacts: [],
  skipped: [],
  failures: [],
  ...overrides,
});

const typo = 'exclude names "analytcs", which is no database on the server (a typo?)';

it("keeps a run's warnings beside the reason it did not simply succeed", () => {
  expect(runMessage(result({ warnings: [typo] }), undefined)).toBe(typo);
  const skipped = result({ status: 'skipped', skipped: [{ database: 'a', since: 'x' }], warnings: [typo] });
  expect(runMessage(skipped, undefined)).toBe(`skipped, unchanged: a since x; ${typo}`);
  const failed = result({
    status: 'failed',
    failures: [{ database: 'a', code: 'DUMP_FAILED', message: 'boom' }],
  });
  expect(runMessage({ ...failed, warnings: [typo] }, undefined)).toBe(`boom; ${typo}`);
  expect(runMessage(result({}), undefined)).toBeUndefined();
});
