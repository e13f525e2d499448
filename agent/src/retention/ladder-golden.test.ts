import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planRetention } from './plan-retention.ts';
import type { RetentionDecision, RetentionPlan } from './retention-types.ts';
import { artifactId, artifactsEvery, exampleLadder } from './synthetic-artifacts.ts';

/**
 * The example ladder (keepLast 3; 15m for 24h, 1h for 72h, 1d for 14d, 1w for 1y) over a backup
 * every 5 minutes in Europe/Berlin. Expected counts are worked out by hand in the comments.
 */
const id = (minute: string) => artifactId(`${minute}:00.000Z`);
const reasonsOf = (plan: RetentionPlan, minute: string): readonly string[] | undefined =>
  [...plan.keep, ...plan.deferred, ...plan.delete].find((decision) => decision.id === id(minute))?.reasons;
const isKept = (plan: RetentionPlan, minute: string) => plan.keep.some((d) => d.id === id(minute));
/** Only the 50 oldest candidates are deleted in this run; the others carry this reason too. */
const deferral = 'deferred: over maxDeletePerRun 50';
const tier = (n: number, every: string, span: string) => `(tier ${n}: ${every} for ${span})`;

describe('the example ladder over a year of 5-minute backups (105,121 artifacts)', () => {
  // Newest 2026-11-03T12:00Z (Tuesday, 13:00 CET); oldest exactly 365 days earlier.
  const artifacts = artifactsEvery({
    newest: new Date('2026-11-03T12:00:00Z'),
    stepMinutes: 5,
    count: 105_121,
  });
  const plan = planRetention({
    artifacts,
    policy: exampleLadder,
    timeZone: 'Europe/Berlin',
    now: new Date('2026-11-03T12:30:00Z'),
  });
  const keptBy = (text: string) => plan.keep.filter((d) => d.reasons.some((r) => r.includes(text))).length;

  it('keeps exactly the expected number per tier, 207 in all', () => {
    // 15m/24h: (11-02T12:00Z, 11-03T12:00Z] touches 97 quarter hours (the first holds :05 and :10).
    expect(keptBy('(tier 1:')).toBe(97);
    // 1h/72h: 72 whole hours plus the 12:00Z hour that holds only the newest.
    expect(keptBy('(tier 2:')).toBe(73);
    // 1d/14d: 3 Nov 13:00 CET − 14 local days = 20 Oct 13:00 CEST: local days 20 Oct … 3 Nov.
    expect(keptBy('(tier 3:')).toBe(15);
    // 1w/1y: ISO weeks 2025-W45 … 2025-W52 (8) and 2026-W01 … W45 (45).
    expect(keptBy('(tier 4:')).toBe(53);
    expect(keptBy('keepLast 3')).toBe(3);
    // Union: 97 + 1 (11:50, keepLast only) + 48 new hours + 11 new days + 50 new weeks.
    expect(plan.keep).toHaveLength(207);
    expect(plan.delete.length + plan.deferred.length).toBe(105_121 - 207);
  });

  it('deletes the 50 oldest now (maxDeletePerRun default) and defers the rest', () => {
    expect(plan.delete).toHaveLength(50);
    expect(plan.delete.at(-1)).toEqual({ id: id('2025-11-03T12:00'), reasons: ['outside every tier'] });
    expect(plan.deferred[0]?.id).toBe(id('2026-11-03T11:45'));
  });

  it('keeps the newest artifact and the keepLast ones, with every reason', () => {
    expect(plan.anchor).toBe('2026-11-03T12:00:00.000Z');
    expect(reasonsOf(plan, '2026-11-03T12:00')).toEqual([
      'newest',
      'keepLast 3',
      `15m bucket 2026-11-03T12:00Z ${tier(1, '15m', '24h')}`,
      `1h bucket 2026-11-03T12:00Z ${tier(2, '1h', '72h')}`,
      `1d bucket 2026-11-03 Europe/Berlin ${tier(3, '1d', '14d')}`,
      `1w bucket 2026-W45 Europe/Berlin ${tier(4, '1w', '1y')}`,
    ]);
    expect(reasonsOf(plan, '2026-11-03T11:50')).toEqual(['keepLast 3']);
  });

  it('around 2026-03-29 (spring forward): the week ends at local midnight, 21:55Z', () => {
    expect(reasonsOf(plan, '2026-03-29T21:55')).toEqual([
      `1w bucket 2026-W13 Europe/Berlin ${tier(4, '1w', '1y')}`,
    ]);
    // 22:00Z is Monday 00:00 CEST: week 14, superseded by the last artifact of that week.
    expect(reasonsOf(plan, '2026-03-29T22:00')).toEqual([
      `superseded in 1w bucket 2026-W14 Europe/Berlin by ${id('2026-04-05T21:55')} ${tier(4, '1w', '1y')}`,
      deferral,
    ]);
    expect(isKept(plan, '2026-03-29T22:55')).toBe(false);
  });

  it('around 2026-10-25 (fall back): the 25-hour local day is one bucket, its last minute 22:55Z', () => {
    expect(reasonsOf(plan, '2026-10-25T22:55')).toEqual([
      `1d bucket 2026-10-25 Europe/Berlin ${tier(3, '1d', '14d')}`,
      `1w bucket 2026-W43 Europe/Berlin ${tier(4, '1w', '1y')}`,
    ]);
    expect(reasonsOf(plan, '2026-10-24T21:55')).toEqual([
      `1d bucket 2026-10-24 Europe/Berlin ${tier(3, '1d', '14d')}`,
    ]);
    expect(isKept(plan, '2026-10-25T21:55')).toBe(false);
    expect(isKept(plan, '2026-10-24T22:55')).toBe(false);
  });

  it('at the end of October: 23:00Z already belongs to 1 November locally', () => {
    expect(reasonsOf(plan, '2026-10-31T22:55')).toEqual([
      `1h bucket 2026-10-31T22:00Z ${tier(2, '1h', '72h')}`,
      `1d bucket 2026-10-31 Europe/Berlin ${tier(3, '1d', '14d')}`,
    ]);
    expect(reasonsOf(plan, '2026-10-31T23:00')).toEqual([
      `superseded in 1h bucket 2026-10-31T23:00Z by ${id('2026-10-31T23:55')} ${tier(2, '1h', '72h')}`,
      `superseded in 1d bucket 2026-11-01 Europe/Berlin by ${id('2026-11-01T22:55')} ${tier(3, '1d', '14d')}`,
      `superseded in 1w bucket 2026-W44 Europe/Berlin by ${id('2026-11-01T22:55')} ${tier(4, '1w', '1y')}`,
      deferral,
    ]);
  });

  it('at the window edges and the turn of the year', () => {
    // The 1d window starts after 2026-10-20T11:00Z; the 20th's last artifact is its representative.
    expect(isKept(plan, '2026-10-20T21:55')).toBe(true);
    expect(isKept(plan, '2026-10-19T21:55')).toBe(false);
    expect(reasonsOf(plan, '2026-01-04T22:55')).toEqual([
      `1w bucket 2026-W01 Europe/Berlin ${tier(4, '1w', '1y')}`,
    ]);
    expect(isKept(plan, '2025-12-31T22:55')).toBe(false);
    // The oldest artifact sits exactly on the 1y boundary: outside (strict), unlike the next one.
    expect(reasonsOf(plan, '2025-11-03T12:05')).toEqual([
      `superseded in 1w bucket 2025-W45 Europe/Berlin by ${id('2025-11-09T22:55')} ${tier(4, '1w', '1y')}`,
    ]);
  });
});

/**
 * A shorter scenario pinned whole by a golden file: 10 days every 5 minutes across the
 * 2026-10-25 DST change. To regenerate deliberately (and review the diff):
 * `UPDATE_RETENTION_GOLDEN=1 npx vitest run agent/src/retention/ladder-golden.test.ts`, then prettier.
 */
describe('golden: the example ladder over 10 days across 2026-10-25', () => {
  const goldenUrl = new URL('./golden/ladder-10-days.json', import.meta.url);

  const sampled = ['2026-10-25T00:50', '2026-10-25T01:50'].map(id);

  it('matches golden/ladder-10-days.json', () => {
    const scenario = {
      newest: '2026-10-27T12:00:00.000Z',
      stepMinutes: 5,
      count: 2881,
      timeZone: 'Europe/Berlin',
    };
    const plan = planRetention({
      artifacts: artifactsEvery({ ...scenario, newest: new Date(scenario.newest) }),
      policy: { ...exampleLadder, maxDeletePerRun: 100_000 },
      timeZone: scenario.timeZone,
      now: new Date(scenario.newest),
    });
    const actual = {
      scenario: { ...scenario, policy: exampleLadder },
      anchor: plan.anchor,
      deleteCount: plan.delete.length,
      keep: plan.keep,
      // 02:50 CEST and 02:50 CET: the same local minute, in two different hour buckets.
      deleteSample: plan.delete.filter((d: RetentionDecision) => sampled.includes(d.id)),
    };
    if (process.env.UPDATE_RETENTION_GOLDEN === '1')
      writeFileSync(goldenUrl, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(readFileSync(goldenUrl, 'utf8')));
  });
});
