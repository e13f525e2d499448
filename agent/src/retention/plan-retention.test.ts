import { describe, expect, it } from 'vitest';
import { planRetention } from './plan-retention.ts';
import type { PlanRetentionInput, RetentionArtifact } from './retention-types.ts';

const now = new Date('2026-11-26T12:00:00Z');
const artifact = (id: string, startedAt: string): RetentionArtifact => ({ id, startedAt });
const plan = (artifacts: RetentionArtifact[], policy: PlanRetentionInput['policy'], extra = {}) =>
  planRetention({ artifacts, policy, timeZone: 'Europe/Berlin', now, ...extra });
const ids = (decisions: readonly { id: string }[]) => decisions.map(({ id }) => id);

describe('planRetention', () => {
  const quarter = [
    artifact('a', '2026-11-26T03:20:00Z'),
    artifact('b', '2026-11-26T03:25:00Z'),
    artifact('c', '2026-11-26T03:10:00Z'),
    artifact('old', '2026-11-20T03:10:00Z'),
  ];

  it('keeps the newest of each bucket and says why, newest first', () => {
    const result = plan(quarter, { tiers: [{ every: '15m', for: '24h' }] });
    expect(result.anchor).toBe('2026-11-26T03:25:00.000Z');
    expect(result.keep).toEqual([
      { id: 'b', reasons: ['newest', '15m bucket 2026-11-26T03:15Z (tier 1: 15m for 24h)'] },
      { id: 'c', reasons: ['15m bucket 2026-11-26T03:00Z (tier 1: 15m for 24h)'] },
    ]);
    expect(result.delete).toEqual([
      { id: 'a', reasons: ['superseded in 15m bucket 2026-11-26T03:15Z by b (tier 1: 15m for 24h)'] },
      { id: 'old', reasons: ['outside every tier'] },
    ]);
    expect(result.deferred).toEqual([]);
  });

  it('names calendar buckets in the target time zone', () => {
    const result = plan(quarter, { tiers: [{ every: '1d', for: '14d' }] });
    expect(result.keep).toEqual([
      { id: 'b', reasons: ['newest', '1d bucket 2026-11-26 Europe/Berlin (tier 1: 1d for 14d)'] },
      { id: 'old', reasons: ['1d bucket 2026-11-20 Europe/Berlin (tier 1: 1d for 14d)'] },
    ]);
  });

  it('keeps keepLast, pins and artifacts dated in the future, each with its reason', () => {
    const artifacts = [...quarter, artifact('skewed', '2026-11-27T00:00:00Z')];
    const result = plan(artifacts, { keepLast: 2 }, { pins: ['old', 'not-there'] });
    expect(result.keep).toEqual([
      { id: 'skewed', reasons: ['in the future'] },
      { id: 'b', reasons: ['newest', 'keepLast 2'] },
      { id: 'a', reasons: ['keepLast 2'] },
      { id: 'old', reasons: ['pinned'] },
    ]);
    expect(result.delete).toEqual([{ id: 'c', reasons: ['not among the newest 2 (keepLast)'] }]);
  });

  it('keeps held artifacts with the reason of their hold, after a pin', () => {
    const holds = new Map([
      ['a', 'safety backup, kept 7d'],
      ['old', 'safety backup, kept 7d'],
      ['not-there', 'safety backup, kept 7d'],
    ]);
    const result = plan(quarter, { tiers: [{ every: '15m', for: '24h' }] }, { pins: ['old'], holds });
    expect(result.keep).toEqual([
      { id: 'b', reasons: ['newest', '15m bucket 2026-11-26T03:15Z (tier 1: 15m for 24h)'] },
      { id: 'a', reasons: ['safety backup, kept 7d'] },
      { id: 'c', reasons: ['15m bucket 2026-11-26T03:00Z (tier 1: 15m for 24h)'] },
      { id: 'old', reasons: ['pinned', 'safety backup, kept 7d'] },
    ]);
    expect(result.delete).toEqual([]);
  });

  it('never lets a future artifact become the anchor (a clock far ahead must not age everything out)', () => {
    const result = plan([...quarter, artifact('2030', '2030-01-01T00:00:00Z')], {
      tiers: [{ every: '15m', for: '24h' }],
    });
    expect(result.anchor).toBe('2026-11-26T03:25:00.000Z');
    expect(ids(result.keep)).toEqual(['2030', 'b', 'c']);
  });

  it('measures windows from the newest artifact, not from now, and the boundary is strict', () => {
    const artifacts = [artifact('new', '2026-01-10T00:00:00Z'), artifact('edge', '2026-01-09T00:00:00Z')];
    const lateNow = { now: new Date('2027-01-01T00:00:00Z'), timeZone: 'UTC' };
    const day = plan(artifacts, { tiers: [{ every: '1h', for: '24h' }] }, lateNow);
    expect(ids(day.keep)).toEqual(['new']);
    const longer = plan(artifacts, { tiers: [{ every: '1h', for: '25h' }] }, lateNow);
    expect(ids(longer.keep)).toEqual(['new', 'edge']);
  });

  it('deletes at most maxDeletePerRun, the oldest first, and defers the rest', () => {
    const artifacts = Array.from({ length: 6 }, (_, i) => artifact(`n${i}`, `2026-11-2${i}T00:00:00Z`));
    const result = plan(artifacts, { keepLast: 1, maxDeletePerRun: 2 });
    expect(ids(result.keep)).toEqual(['n5']);
    expect(ids(result.deferred)).toEqual(['n4', 'n3', 'n2']);
    expect(ids(result.delete)).toEqual(['n1', 'n0']);
    expect(result.deferred[0]!.reasons.at(-1)).toBe('deferred: over maxDeletePerRun 2');
  });

  it('breaks ties in time by id, whatever the input order', () => {
    const twins = [artifact('y', '2026-11-26T03:20:00Z'), artifact('x', '2026-11-26T03:20:00Z')];
    const policy = { tiers: [{ every: '15m', for: '24h' }] };
    expect(ids(plan(twins, policy).keep)).toEqual(['x']);
    expect(plan([...twins].reverse(), policy)).toEqual(plan(twins, policy));
  });

  it('plans nothing for no artifacts and everything-kept when all are in the future', () => {
    expect(plan([], { keepLast: 1 })).toEqual({ keep: [], delete: [], deferred: [] });
    const future = plan([artifact('f', '2027-01-01T00:00:00Z')], { keepLast: 1 });
    expect(future).toEqual({ keep: [{ id: 'f', reasons: ['in the future'] }], delete: [], deferred: [] });
  });

  it.each([
    ['an empty policy', {}, /empty policy would delete everything/],
    ['keepLast 0 and no tiers', { keepLast: 0, tiers: [] }, /empty policy/],
    ['an every that does not divide a day', { tiers: [{ every: '7m', for: '1d' }] }, /tiers\[0\]\.every/],
    ['a for shorter than its every', { tiers: [{ every: '1d', for: '1h' }] }, /tiers\[0\]\.for/],
  ])('rejects %s with INVALID_INPUT', (_name, policy, message) => {
    expect(() => plan(quarter, policy as PlanRetentionInput['policy'])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(message) }),
    );
  });

  it('rejects an empty policy even when pins would keep something', () => {
    expect(() => plan(quarter, {}, { pins: ['a'] })).toThrow(/empty policy/);
  });

  it.each([
    ['an unknown time zone', quarter, { timeZone: 'Mars/Olympus_Mons' }, /not an IANA time zone/],
    ['a time without a zone', [artifact('a', '2026-11-26T03:20:00')], {}, /"a": startedAt/],
    ['a repeated id', [...quarter, artifact('a', '2026-01-01T00:00:00Z')], {}, /"a" is listed twice/],
    ['an invalid now', quarter, { now: new Date(Number.NaN) }, /now must be a valid Date/],
  ])('rejects %s with INVALID_INPUT', (_name, artifacts, extra, message) => {
    expect(() => plan(artifacts, { keepLast: 1 }, extra)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(message) }),
    );
  });

  it('never crosses targets: artifacts of two targets in one plan are rejected', () => {
    const mixed = [
      { id: 'a', startedAt: '2026-11-26T03:20:00Z', target: 'shop' },
      { id: 'b', startedAt: '2026-11-26T03:25:00Z', target: 'crm' },
    ];
    expect(() => plan(mixed, { keepLast: 1 })).toThrow(/retention never crosses targets/);
    const shopOnly = plan([mixed[0]!], { keepLast: 1 });
    expect(ids(shopOnly.keep)).toEqual(['a']);
  });
});
