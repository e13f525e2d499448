import { describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { changedRestartOnlySettings, keepRestartOnlySettings } from './restart-only-settings.ts';

const base = {
  version: 1,
  storages: { local: { type: 'filesystem', path: '/var/backups' } },
  targets: { shop: { engine: 'postgres', user: 'backup', databases: ['shop'], destinations: ['local'] } },
};

describe('changedRestartOnlySettings', () => {
  it('names sign-in, server and queue changes, and nothing for what a reload applies', () => {
    const started = configSchema.parse(base);
    expect(changedRestartOnlySettings(started, configSchema.parse(base))).toEqual([]);
    const targetsOnly = configSchema.parse({ ...base, targets: {}, retentionSchedule: '0 * * * *' });
    expect(changedRestartOnlySettings(started, targetsOnly)).toEqual([]);
    const changed = configSchema.parse({
      ...base,
      maxConcurrent: 4,
      server: { port: 9000 },
      auth: { mode: 'none', anonymousRole: 'operator' },
    });
    expect(changedRestartOnlySettings(started, changed)).toEqual(['server', 'auth', 'maxConcurrent']);
  });
});

describe('keepRestartOnlySettings', () => {
  it('keeps every restart-only setting of the started config, and takes the rest from the new one', () => {
    const started = configSchema.parse(base);
    const next = configSchema.parse({
      ...base,
      targets: {},
      maxConcurrent: 4,
      server: { port: 9000 },
      auth: { mode: 'none', anonymousRole: 'operator' },
    });
    const applied = keepRestartOnlySettings(started, next);
    expect(changedRestartOnlySettings(started, applied)).toEqual([]);
    expect(applied.targets).toEqual({});
  });
});
