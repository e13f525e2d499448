import { describe, expect, it } from 'vitest';
import { simulateRetention } from './simulate.ts';
import type { SimulateRetentionInput } from './simulate.ts';

const artifactsText = JSON.stringify([
  { id: 'a', startedAt: '2026-11-26T03:20:00Z', sizeBytes: 10 },
  { id: 'b', startedAt: '2026-11-26T03:25:00Z' },
  { id: 'c', startedAt: '2026-11-26T03:10:00Z' },
  { id: 'd', startedAt: '2026-11-25T03:10:00Z' },
  { id: 'e', startedAt: '2026-11-24T03:10:00Z' },
]);
const simulate = (policyText: string, overrides: Partial<SimulateRetentionInput> = {}) =>
  simulateRetention({
    policy: { text: policyText, file: 'policy.yaml' },
    artifacts: { text: artifactsText, file: 'artifacts.json' },
    now: '2026-11-26T12:00:00Z',
    ...overrides,
  });
const invalid = (message: string | RegExp) =>
  expect.objectContaining({
    code: 'INVALID_INPUT',
    message: typeof message === 'string' ? message : expect.stringMatching(message),
  });

describe('simulateRetention', () => {
  it('returns the public shape: keep with reasons, delete with ids, newest first', () => {
    const result = simulate('tiers:\n  - { every: 15m, for: 24h }\n');
    expect(result).toEqual({
      keep: [
        { id: 'b', reasons: ['newest', '15m bucket 2026-11-26T03:15Z (tier 1: 15m for 24h)'] },
        { id: 'c', reasons: ['15m bucket 2026-11-26T03:00Z (tier 1: 15m for 24h)'] },
      ],
      delete: [{ id: 'a' }, { id: 'd' }, { id: 'e' }],
    });
  });

  it('reads JSON too, and a policy pasted with its `retention:` key', () => {
    const json = simulate('{"keepLast": 1, "tiers": [{"every": "1d", "for": "2d"}]}');
    const pasted = simulate('retention:\n  keepLast: 1\n  tiers: [{ every: 1d, for: 2d }]\n');
    expect(pasted).toEqual(json);
    expect(json.keep.map((k) => k.id)).toEqual(['b', 'd']);
  });

  it('lists everything the policy deletes: maxDeletePerRun paces real runs, not a simulation', () => {
    const result = simulate('keepLast: 1\nmaxDeletePerRun: 1\n');
    expect(result.delete.map((d) => d.id)).toEqual(['a', 'c', 'd', 'e']);
  });

  it('uses the given time zone for calendar buckets (UTC when none is given)', () => {
    const policy = 'tiers: [{ every: 1d, for: 14d }]\n';
    const text = JSON.stringify([
      { id: 'late', startedAt: '2026-11-25T23:30:00Z' },
      { id: 'early', startedAt: '2026-11-25T22:30:00Z' },
    ]);
    const run = (timeZone?: string) =>
      simulate(policy, { artifacts: { text, file: 'a.json' }, ...(timeZone ? { timeZone } : {}) });
    expect(run().keep.map((k) => k.id)).toEqual(['late']);
    expect(run('Europe/Berlin').keep.map((k) => k.id)).toEqual(['late', 'early']);
  });

  it('names the file, line, column and field of every policy problem at once', () => {
    expect(() =>
      simulate('keepLast: 2\ntiers:\n  - { every: 7m, for: 1d }\n  - { every: 1h, for: 1m }\n'),
    ).toThrow(
      invalid(
        [
          'policy.yaml:3:14  tiers[0].every: minutes and hours must divide a day (e.g. 5m, 15m, 1h, 6h, 12h)',
          'policy.yaml:4:23  tiers[1].for: must not be shorter than every (1h)',
        ].join('\n'),
      ),
    );
    expect(() => simulate('keepLst: 3\n')).toThrow(
      invalid(/policy\.yaml:1:1 {2}keepLst: unknown key "keepLst" \(did you mean "keepLast"\?\)/),
    );
    expect(() => simulate('{}\n')).toThrow(
      invalid(/^policy\.yaml:1:1 {2}an empty policy would delete everything/),
    );
    expect(() => simulate('tiers: [\n')).toThrow(invalid(/^policy\.yaml:\d+:\d+ {2}YAML syntax/));
    expect(() => simulate('- 1\n')).toThrow(invalid(/^policy\.yaml: must be a mapping/));
    expect(() => simulate('tiers:\n  - { every: 1h }\n')).toThrow(invalid(/tiers\[0\]\.for: is required$/));
  });

  it('names the file, index and field of artifact problems', () => {
    const text = JSON.stringify([
      { id: 'a', startedAt: '2026-11-26T03:20:00' },
      { startedAt: '2026-11-26T03:20:00Z' },
      { id: 'a', startedAt: 'yesterday' },
      7,
    ]);
    expect(() => simulate('keepLast: 1\n', { artifacts: { text, file: 'list.json' } })).toThrow(
      invalid(
        [
          'list.json: [0].startedAt: must be an ISO 8601 time with Z or an offset, e.g. 2026-11-26T03:15:00Z',
          'list.json: [1].id: must be a non-empty string',
          'list.json: [2].id: "a" is listed twice',
          'list.json: [2].startedAt: must be an ISO 8601 time with Z or an offset, e.g. 2026-11-26T03:15:00Z',
          'list.json: [3]: must be an object {"id", "startedAt"}',
        ].join('\n'),
      ),
    );
    const notJson = { artifacts: { text: '[{', file: 'list.json' } };
    expect(() => simulate('keepLast: 1\n', notJson)).toThrow(invalid(/^list\.json: not valid JSON/));
    const notArray = { artifacts: { text: '{}', file: 'list.json' } };
    expect(() => simulate('keepLast: 1\n', notArray)).toThrow(invalid(/^list\.json: must be a JSON array/));
  });

  it('rejects a bad --now or --tz by name', () => {
    expect(() => simulate('keepLast: 1\n', { now: 'tomorrow' })).toThrow(invalid(/^--now: /));
    expect(() => simulate('keepLast: 1\n', { timeZone: 'Europe/Atlantis' })).toThrow(
      invalid('--tz: "Europe/Atlantis" is not an IANA time zone'),
    );
  });
});
