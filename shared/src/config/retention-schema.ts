import { z } from 'zod';
import {
  durationPattern,
  minimumDurationSeconds,
  nominalDurationSeconds,
  parseDuration,
} from './duration.ts';

const dayMinutes = 24 * 60;

/** A duration string, checked for its form only. */
export const durationSchema = z
  .string()
  // A regex rather than a refine: it also lands in the JSON Schema, so editors flag bad durations.
  .regex(durationPattern, 'must be a duration such as 30s, 15m, 2h, 14d, 1w, 1mo or 1y')
  .describe('A duration: a whole number and a unit (s, m, h, d, w, mo, y), e.g. 15m, 2h, 14d, 1y.');

/** Why a tier's `every` is not a bucket size Port-Yard can align; undefined when it is fine. */
export function bucketProblem(every: string): string | undefined {
  const duration = parseDuration(every);
  if (!duration) return 'must be a duration such as 15m, 1h, 1d, 1w, 1mo or 1y';
  if (duration.unit === 's') return 'must be at least one minute';
  if (duration.unit === 'm' || duration.unit === 'h') {
    const minutes = nominalDurationSeconds(duration) / 60;
    if (dayMinutes % minutes !== 0) return 'minutes and hours must divide a day (e.g. 5m, 15m, 1h, 6h, 12h)';
    return undefined;
  }
  if (duration.count !== 1)
    return `must be 1${duration.unit}: days, weeks, months and years are calendar periods`;
  return undefined;
}

export const retentionTierSchema = z
  .strictObject({
    // Checked on the field itself, so a bad `for` in the same tier does not hide this problem.
    every: z
      .string()
      .superRefine((every, ctx) => {
        const problem = bucketProblem(every);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('Bucket size: keep the newest artifact of each bucket (15m, 1h, 1d, 1w, 1mo, 1y).'),
    for: durationSchema.describe('How far back from the newest successful artifact this tier reaches.'),
  })
  // Runs only when both fields are valid (zod skips refinements after aborting issues).
  .superRefine((tier, ctx) => {
    const every = parseDuration(tier.every);
    const span = parseDuration(tier.for);
    if (every && span && minimumDurationSeconds(span) < nominalDurationSeconds(every)) {
      ctx.addIssue({
        code: 'custom',
        path: ['for'],
        message: `must not be shorter than every (${tier.every})`,
      });
    }
  })
  .describe('Keep one artifact per `every` for `for`.');

export const retentionSchema = z
  .strictObject({
    keepLast: z
      .int()
      .min(0)
      .optional()
      .describe('The newest N successful artifacts are always kept, whatever the tiers say.'),
    tiers: z.array(retentionTierSchema).optional().describe('Layered tiers, e.g. 15m for 24h, 1h for 72h.'),
    maxDeletePerRun: z
      .int()
      .min(1)
      .default(50)
      .describe('At most this many artifacts are deleted by one retention run (a safety brake).'),
  })
  .refine(
    (policy) => {
      // `when` below lets this run beside problems in other fields, so the values may have any type.
      const { keepLast, tiers } = policy as { keepLast: unknown; tiers: unknown };
      const keepsNothing = keepLast === undefined || (typeof keepLast === 'number' && keepLast <= 0);
      return !(keepsNothing && (tiers === undefined || (Array.isArray(tiers) && tiers.length === 0)));
    },
    {
      message: 'an empty policy would delete everything: give keepLast > 0 or at least one tier',
      when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    },
  )
  .describe('Which artifacts to keep (DESIGN section 5). Without it, nothing is ever deleted.');

export type RetentionPolicy = z.infer<typeof retentionSchema>;
export type RetentionTier = z.infer<typeof retentionTierSchema>;
