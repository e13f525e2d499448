import { describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { changedRestartOnlySettings } from './restart-only-settings.ts';

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
