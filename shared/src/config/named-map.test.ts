import { describe, expect, it } from 'vitest';
import { configSchema } from './config-schema.ts';

describe('the config maps of named things', () => {
  const parse = (extra: object = {}) =>
    configSchema.parse({ version: 1, storages: { local: { type: 'filesystem', path: '/x' } }, ...extra });

  it('have no prototype, whether given or defaulted: only the config names are found', () => {
    const config = parse();
    for (const map of [config.storages, config.targets, config.testServers, config.notifications.channels]) {
      expect(Object.getPrototypeOf(map)).toBeNull();
      expect(map['constructor']).toBeUndefined();
    }
    expect(config.storages['local']).toMatchObject({ type: 'filesystem' });
  });

  it('keep what was given', () => {
    const config = parse({
      notifications: { channels: { ops: { type: 'webhook', url: 'https://x.example/' } } },
    });
    expect(Object.keys(config.notifications.channels)).toEqual(['ops']);
    expect(config.notifications.reminderInterval).toBe('24h');
  });
});
