import { parseDuration } from '@port-yard/shared';
import type { PlanRetentionInput } from './retention-types.ts';

/**
 * A deliberately naive re-statement of DESIGN §5 for the UTC zone only, written with Date
 * arithmetic and no shared code, as an oracle for the property tests. Slow (a Date per artifact
 * per tier) and not used by the product. Returns the ids it would keep.
 */
export function referenceKeptIds(input: PlanRetentionInput): Set<string> {
  const ms = (value: Date | string) => new Date(value).getTime();
  const sorted = [...input.artifacts].sort(
    (a, b) => ms(b.startedAt) - ms(a.startedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const nowMs = input.now.getTime();
  const past = sorted.filter((a) => ms(a.startedAt) <= nowMs);
  const kept = new Set(sorted.filter((a) => ms(a.startedAt) > nowMs).map((a) => a.id));
  const pins = new Set(input.pins ?? []);
  for (const a of sorted) if (pins.has(a.id)) kept.add(a.id);
  for (const a of past.slice(0, Math.max(1, input.policy.keepLast ?? 0))) kept.add(a.id);
  const anchor = past[0];
  if (!anchor) return kept;
  for (const tier of input.policy.tiers ?? []) {
    const cutoff = naiveCutoff(new Date(anchor.startedAt), tier.for);
    const seen = new Set<string>();
    for (const a of past) {
      if (ms(a.startedAt) <= cutoff) break;
      const key = naiveBucket(new Date(a.startedAt), tier.every);
      if (!seen.has(key)) kept.add(a.id);
      seen.add(key);
    }
  }
  return kept;
}

function naiveCutoff(anchor: Date, span: string): number {
  const { count, unit } = parseDuration(span)!;
  const fixed: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
  if (fixed[unit]) return anchor.getTime() - count * fixed[unit];
  const [y, mo, d] = [anchor.getUTCFullYear(), anchor.getUTCMonth(), anchor.getUTCDate()];
  const time = anchor.getTime() % 86_400_000;
  if (unit === 'd' || unit === 'w') return Date.UTC(y, mo, d - count * (unit === 'w' ? 7 : 1)) + time;
  const months = unit === 'y' ? 12 * count : count;
  const lastDay = new Date(Date.UTC(y, mo - months + 1, 0)).getUTCDate();
  return Date.UTC(y, mo - months, Math.min(d, lastDay)) + time;
}

function naiveBucket(at: Date, every: string): string {
  const { count, unit } = parseDuration(every)!;
  const iso = at.toISOString();
  if (unit === 'm' || unit === 'h')
    return String(Math.floor(at.getTime() / (count * (unit === 'm' ? 60_000 : 3_600_000))));
  if (unit === 'd') return iso.slice(0, 10);
  if (unit === 'mo') return iso.slice(0, 7);
  if (unit === 'y') return iso.slice(0, 4);
  const monday = new Date(at.getTime() - ((at.getUTCDay() + 6) % 7) * 86_400_000);
  return monday.toISOString().slice(0, 10);
}
