import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createZoneClock } from './zone-clock.ts';

/** Zones with awkward rules: half-hour DST, 45-minute offsets, negative DST, a skipped day. */
const zones = [
  'UTC',
  'Europe/Berlin',
  'Europe/Dublin',
  'America/New_York',
  'America/St_Johns',
  'America/Sao_Paulo',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'Pacific/Apia',
  'Africa/Casablanca',
];

const oracles = new Map<string, Intl.DateTimeFormat>();

/** An independent oracle: Intl's own `GMT+05:45` rendering of the offset, per instant. */
function oracleOffsetMs(timeZone: string, utcMs: number): number {
  let oracle = oracles.get(timeZone);
  if (!oracle) {
    oracle = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    oracles.set(timeZone, oracle);
  }
  const name = oracle.formatToParts(utcMs).find((part) => part.type === 'timeZoneName')!.value;
  const match = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(name)!;
  if (!match[1]) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0);
  return (match[1] === '-' ? -1 : 1) * seconds * 1000;
}

const at = (iso: string) => Date.parse(iso);

describe('createZoneClock', () => {
  it('reports the offset Intl reports, at any instant in any zone (cached per UTC day)', () => {
    const clocks = new Map(zones.map((zone) => [zone, createZoneClock(zone)]));
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: at('1890-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') }),
        (zone, utcMs) => {
          expect(clocks.get(zone)!.offsetAt(utcMs)).toBe(oracleOffsetMs(zone, utcMs));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is exact on both sides of every change in a year, swept every 30 minutes', () => {
    const years: [string, number][] = [
      ['Europe/Berlin', 2026],
      ['America/St_Johns', 2026],
      ['Australia/Lord_Howe', 2026], // ±30 min, at 02:00 local
      ['Pacific/Chatham', 2026],
      ['Africa/Casablanca', 2026], // suspended for Ramadan
      ['America/Sao_Paulo', 2018], // changes at local midnight
      ['Pacific/Apia', 2011], // skipped 30 Dec 2011 entirely
    ];
    const wrong: string[] = [];
    for (const [zone, year] of years) {
      const clock = createZoneClock(zone);
      const end = Date.UTC(year + 1, 0, 1);
      for (let utcMs = Date.UTC(year, 0, 1); utcMs < end; utcMs += 1_800_000) {
        for (const instant of [utcMs - 1, utcMs]) {
          if (clock.offsetAt(instant) !== oracleOffsetMs(zone, instant))
            wrong.push(`${zone} ${new Date(instant).toISOString()}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('finds the exact second of a change (Berlin, 2026-03-29 01:00Z and 2026-10-25 01:00Z)', () => {
    const berlin = createZoneClock('Europe/Berlin');
    expect(berlin.offsetAt(at('2026-03-29T00:59:59.999Z'))).toBe(3_600_000);
    expect(berlin.offsetAt(at('2026-03-29T01:00:00Z'))).toBe(7_200_000);
    expect(berlin.offsetAt(at('2026-10-25T00:59:59.999Z'))).toBe(7_200_000);
    expect(berlin.offsetAt(at('2026-10-25T01:00:00Z'))).toBe(3_600_000);
  });

  it('turns a local time back into its instant; twice-occurring and missing times take the earlier', () => {
    const berlin = createZoneClock('Europe/Berlin');
    const local = (iso: string) => at(`${iso}Z`);
    expect(berlin.utcFromLocal(local('2026-07-01T12:00:00'))).toBe(at('2026-07-01T10:00:00Z'));
    // 02:30 happens twice on 2026-10-25 (CEST, then CET): the CEST one.
    expect(berlin.utcFromLocal(local('2026-10-25T02:30:00'))).toBe(at('2026-10-25T00:30:00Z'));
    // 02:30 never happens on 2026-03-29: the earlier reading, 01:30 CET.
    expect(berlin.utcFromLocal(local('2026-03-29T02:30:00'))).toBe(at('2026-03-29T00:30:00Z'));
  });

  it('round-trips every instant through local time, landing on it or an earlier twin', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: at('1970-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') }),
        (zone, utcMs) => {
          const clock = createZoneClock(zone);
          const local = utcMs + clock.offsetAt(utcMs);
          const back = clock.utcFromLocal(local);
          expect(back + clock.offsetAt(back)).toBe(local);
          expect(back).toBeLessThanOrEqual(utcMs);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('throws RangeError for a zone Intl does not know', () => {
    expect(() => createZoneClock('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
