import fc from 'fast-check';
import { retentionSchema } from '@port-yard/shared';
import { describe, expect, it } from 'vitest';
import { planRetention } from './plan-retention.ts';
import type { RetentionArtifact, RetentionPlan, RetentionPolicyInput } from './retention-types.ts';
import { referenceKeptIds } from './reference-plan.ts';

/** Property tests for every safety rule in DESIGN §5, over random artifacts, policies and zones. */
const minute = 60_000;
const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
const everyValues = ['5m', '15m', '30m', '1h', '2h', '6h', '12h', '1d', '1w', '1mo', '1y'];
const forValues = ['30m', '1h', '6h', '24h', '72h', '1d', '3d', '14d', '1w', '5w', '1mo', '3mo', '1y', '2y'];

const tierArb = fc
  .record({ every: fc.constantFrom(...everyValues), for: fc.constantFrom(...forValues) })
  .filter((tier) => retentionSchema.safeParse({ tiers: [tier] }).success);

const policyArb: fc.Arbitrary<RetentionPolicyInput> = fc
  .record({
    keepLast: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    tiers: fc.array(tierArb, { maxLength: 4 }),
    maxDeletePerRun: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  })
  .filter((policy) => retentionSchema.safeParse(policy).success);

/** Anchors near month ends, a leap day and both Berlin DST changes, where calendar math bites. */
const bases = [
  '2026-11-26T12:00:00Z',
  '2026-03-31T00:30:00Z',
  '2024-03-30T23:45:00Z',
  '2024-02-29T12:00:00Z',
  '2026-10-26T01:30:00Z',
  '2026-12-31T23:00:00Z',
].map((iso) => Date.parse(iso));

/**
 * Times on a 15-minute grid before `base`: dense (a few days: many bucket collisions, and
 * artifacts exactly on window edges), around one month and one year back (where clamping
 * decides), and sparse (over a year). Unbiased, else fast-check favours the range ends.
 */
const quarterArb = fc.oneof(
  fc.integer({ min: -40, max: 4 * 96 }),
  fc.noBias(fc.integer({ min: 26 * 96, max: 35 * 96 })),
  fc.noBias(fc.integer({ min: 360 * 96, max: 370 * 96 })),
  fc.noBias(fc.integer({ min: 0, max: 420 * 96 })),
);
const artifactsAt = (base: number): fc.Arbitrary<RetentionArtifact[]> =>
  fc
    .array(quarterArb, { maxLength: 80, size: 'max' }) // the default size stays near 10 elements
    .map((quarters) =>
      quarters.map((q, i) => ({ id: `a${i}`, startedAt: new Date(base - q * 15 * minute).toISOString() })),
    );
const artifactsArb = fc.constantFrom(...bases).chain(artifactsAt);

const scenarioArb = fc
  .constantFrom(...bases)
  .chain((base) =>
    fc.record({
      artifacts: artifactsAt(base),
      policy: policyArb,
      timeZone: fc.constantFrom(...zones),
      now: fc.integer({ min: -1440, max: 1440 }).map((m) => new Date(base + m * minute)),
    }),
  )
  .chain((scenario) =>
    fc.subarray(scenario.artifacts.map(({ id }) => id)).map((pins) => ({ ...scenario, pins })),
  );

const idsOf = (...lists: RetentionPlan['keep'][]) => lists.flat().map(({ id }) => id);
const msOf = (artifact: RetentionArtifact) => Date.parse(String(artifact.startedAt));
/** Newest first, ties by id: the planner's own order. */
const newestFirst = (artifacts: readonly RetentionArtifact[]) =>
  [...artifacts].sort((a, b) => msOf(b) - msOf(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const check = <Ts extends [unknown, ...unknown[]]>(property: fc.IPropertyWithHooks<Ts>) =>
  fc.assert(property, { numRuns: 300 });

describe('planRetention safety properties', () => {
  it('partitions the input exactly: every artifact in one list, none twice, none invented', () => {
    check(
      fc.property(scenarioArb, (scenario) => {
        const plan = planRetention(scenario);
        const all = idsOf(plan.keep, plan.delete, plan.deferred);
        expect([...all].sort()).toEqual(scenario.artifacts.map(({ id }) => id).sort());
      }),
    );
  });

  it('never deletes the newest artifact; keeps everything dated in the future, and every pin', () => {
    check(
      fc.property(scenarioArb, (scenario) => {
        const plan = planRetention(scenario);
        const kept = new Set(idsOf(plan.keep));
        const newest = newestFirst(scenario.artifacts)[0];
        if (newest) expect(kept).toContain(newest.id);
        for (const artifact of scenario.artifacts) {
          if (msOf(artifact) > scenario.now.getTime()) expect(kept).toContain(artifact.id);
        }
        for (const pin of scenario.pins) expect(kept).toContain(pin);
        const anchor = newestFirst(scenario.artifacts).find((a) => msOf(a) <= scenario.now.getTime());
        if (anchor) expect(plan.keep.find(({ id }) => id === anchor.id)?.reasons).toContain('newest');
      }),
    );
  });

  it('keepLast N keeps the N newest', () => {
    check(
      fc.property(scenarioArb, (scenario) => {
        const kept = new Set(idsOf(planRetention(scenario).keep));
        const keepLast = scenario.policy.keepLast ?? 0;
        for (const { id } of newestFirst(scenario.artifacts).slice(0, keepLast)) expect(kept).toContain(id);
      }),
    );
  });

  it('deletes at most maxDeletePerRun, always the oldest candidates, deferring the newer ones', () => {
    check(
      fc.property(scenarioArb, (scenario) => {
        const plan = planRetention(scenario);
        const cap = scenario.policy.maxDeletePerRun ?? 50;
        expect(plan.delete.length).toBeLessThanOrEqual(cap);
        if (plan.deferred.length > 0) expect(plan.delete.length).toBe(cap);
        const order = newestFirst(scenario.artifacts).map(({ id }) => id);
        const lastDeferred = Math.max(-1, ...plan.deferred.map(({ id }) => order.indexOf(id)));
        for (const { id } of plan.delete) expect(order.indexOf(id)).toBeGreaterThan(lastDeferred);
      }),
    );
  });

  it('is idempotent: after applying a plan, the next deletes only what was deferred, then nothing', () => {
    check(
      fc.property(scenarioArb, (scenario) => {
        const first = planRetention(scenario);
        const deleted = new Set(idsOf(first.delete));
        const second = planRetention({
          ...scenario,
          artifacts: scenario.artifacts.filter((a) => !deleted.has(a.id)),
        });
        expect(idsOf(second.keep)).toEqual(idsOf(first.keep));
        expect(idsOf(second.deferred, second.delete)).toEqual(idsOf(first.deferred));

        const removed = new Set(idsOf(first.delete, first.deferred));
        const settled = { ...scenario, artifacts: scenario.artifacts.filter((a) => !removed.has(a.id)) };
        const third = planRetention(settled);
        expect(idsOf(third.delete, third.deferred)).toEqual([]);
        expect(idsOf(third.keep)).toEqual(idsOf(first.keep));
      }),
    );
  });

  it('is a union: adding a tier never deletes more', () => {
    check(
      fc.property(scenarioArb, tierArb, (scenario, tier) => {
        const before = new Set(idsOf(planRetention(scenario).keep));
        const policy = { ...scenario.policy, tiers: [...(scenario.policy.tiers ?? []), tier] };
        const after = new Set(idsOf(planRetention({ ...scenario, policy }).keep));
        for (const id of before) expect(after).toContain(id);
      }),
    );
  });

  it('does not depend on the order of the input', () => {
    check(
      fc.property(
        scenarioArb.chain((scenario) =>
          fc
            .shuffledSubarray(scenario.artifacts, { minLength: scenario.artifacts.length })
            .map((shuffled) => ({
              scenario,
              shuffled,
            })),
        ),
        ({ scenario, shuffled }) => {
          expect(planRetention({ ...scenario, artifacts: shuffled })).toEqual(planRetention(scenario));
        },
      ),
    );
  });

  it('keeps exactly what a naive re-statement of DESIGN §5 keeps (UTC, Date arithmetic)', () => {
    check(
      fc.property(scenarioArb, (scenario) => {
        const utc = { ...scenario, timeZone: 'UTC' };
        const kept = idsOf(planRetention(utc).keep).sort();
        expect(kept).toEqual([...referenceKeptIds(utc)].sort());
      }),
    );
  });

  it('rejects an empty policy for any input: never "delete all"', () => {
    check(
      fc.property(
        artifactsArb,
        fc.constantFrom<RetentionPolicyInput>({}, { keepLast: 0 }, { tiers: [] }),
        (artifacts, policy) => {
          expect(() => planRetention({ artifacts, policy, timeZone: 'UTC', now: new Date() })).toThrow(
            /empty policy/,
          );
        },
      ),
    );
  });
});
