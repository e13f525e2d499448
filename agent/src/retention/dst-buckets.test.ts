import { describe, expect, it } from 'vitest';
import { planRetention } from './plan-retention.ts';
import type { RetentionPolicyInput, RetentionPlan } from './retention-types.ts';
import { artifactId, artifactsEvery } from './synthetic-artifacts.ts';

/** DESIGN §5: m/h buckets are UTC-aligned (DST cannot merge or split them); d/w/mo/y follow local time. */
const plan = (newest: string, stepMinutes: number, count: number, policy: RetentionPolicyInput) =>
  planRetention({
    artifacts: artifactsEvery({ newest: new Date(newest), stepMinutes, count }),
    policy: { ...policy, maxDeletePerRun: 100_000 },
    timeZone: 'Europe/Berlin',
    now: new Date(newest),
  });
const keptIds = (result: RetentionPlan) => result.keep.map(({ id }) => id).sort();
const id = (iso: string) => artifactId(`${iso}:00.000Z`);
/** How many artifacts a bucket held: its representative plus those it superseded. */
const bucketSize = (result: RetentionPlan, bucket: string) =>
  [...result.keep, ...result.delete].filter(({ reasons }) =>
    reasons.some((r) => r.includes(`bucket ${bucket} `)),
  ).length;

describe('DST in Europe/Berlin', () => {
  const hourly = { tiers: [{ every: '1h', for: '24h' }] };

  it('2026-03-29 (clocks 02:00 → 03:00): 1h buckets stay whole UTC hours, none merged or split', () => {
    // Every 10 minutes from 2026-03-28T22:00Z to 2026-03-29T03:50Z: local 23:00 CET to 05:50 CEST.
    const result = plan('2026-03-29T03:50:00Z', 10, 36, hourly);
    expect(keptIds(result)).toEqual(
      [
        '2026-03-28T22:50',
        '2026-03-29T00:50',
        '2026-03-29T01:50',
        '2026-03-28T23:50',
        '2026-03-29T02:50',
        '2026-03-29T03:50',
      ]
        .map(id)
        .sort(),
    );
    // 00:00Z is 01:00 CET and 01:00Z is 03:00 CEST: neighbours in UTC, two hours apart locally.
    expect(bucketSize(result, '2026-03-29T00:00Z')).toBe(6);
    expect(bucketSize(result, '2026-03-29T01:00Z')).toBe(6);
  });

  it('2026-10-25 (clocks 03:00 → 02:00): the two local 02:xx hours are two buckets, not one', () => {
    const result = plan('2026-10-25T03:50:00Z', 10, 36, hourly);
    // 00:xxZ is 02:xx CEST and 01:xxZ is 02:xx CET: same local hour, kept apart.
    expect(keptIds(result)).toContain(id('2026-10-25T00:50'));
    expect(keptIds(result)).toContain(id('2026-10-25T01:50'));
    expect(result.keep).toHaveLength(6);
    expect(bucketSize(result, '2026-10-25T00:00Z')).toBe(6);
    expect(bucketSize(result, '2026-10-25T01:00Z')).toBe(6);
  });

  it('1d buckets are local days: 2026-03-29 holds 23 hours, 2026-10-25 holds 25', () => {
    const daily = { tiers: [{ every: '1d', for: '14d' }] };
    const spring = plan('2026-03-31T12:00:00Z', 60, 96, daily);
    expect(bucketSize(spring, '2026-03-29 Europe/Berlin')).toBe(23);
    // The last hour of 28 Mar is 22:00Z (23:00 CET); of 29 Mar, 21:00Z (23:00 CEST).
    const lastHours = ['2026-03-27T22:00', '2026-03-28T22:00', '2026-03-29T21:00', '2026-03-30T21:00'];
    expect(keptIds(spring)).toEqual([...lastHours, '2026-03-31T12:00'].map(id).sort());

    const autumn = plan('2026-10-27T12:00:00Z', 60, 96, daily);
    const day = autumn.keep.find((decision) => decision.id === id('2026-10-25T22:00'));
    expect(day?.reasons).toEqual(['1d bucket 2026-10-25 Europe/Berlin (tier 1: 1d for 14d)']);
    expect(bucketSize(autumn, '2026-10-25 Europe/Berlin')).toBe(25);
    expect(autumn.delete.find((decision) => decision.id === id('2026-10-25T21:00'))?.reasons).toEqual([
      `superseded in 1d bucket 2026-10-25 Europe/Berlin by ${id('2026-10-25T22:00')} (tier 1: 1d for 14d)`,
    ]);
  });

  it('weeks and months turn at local midnight, not UTC midnight', () => {
    const weekly = plan('2026-04-01T12:00:00Z', 60, 96, { tiers: [{ every: '1w', for: '5w' }] });
    // Monday 2026-03-30 00:00 CEST is 2026-03-29T22:00Z: that hour opens week 14.
    expect(keptIds(weekly)).toContain(id('2026-03-29T21:00'));
    expect(keptIds(weekly)).not.toContain(id('2026-03-29T23:00'));

    const monthly = plan('2026-11-01T12:00:00Z', 60, 48, { tiers: [{ every: '1mo', for: '1y' }] });
    // 2026-10-31T23:00Z is already 1 November 00:00 CET.
    expect(keptIds(monthly)).toEqual([id('2026-10-31T22:00'), id('2026-11-01T12:00')].sort());
  });
});
