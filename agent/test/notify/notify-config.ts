import type { PortYardConfig, PortYardConfigInput } from '@port-yard/shared';
import { configSchema, notificationEventNames } from '@port-yard/shared';

type Channels = NonNullable<PortYardConfigInput['notifications']>['channels'];

/**
 * A parsed config with the given notification channels and one target `shop` that sends every
 * event to every channel (the database is never contacted by these tests).
 */
export function notifyConfig(
  channels: Channels,
  settings: {
    readonly timeout?: string;
    readonly attempts?: number;
    readonly reminderInterval?: string;
  } = {},
): PortYardConfig {
  return configSchema.parse({
    version: 1,
    storages: { local: { type: 'filesystem', path: '/tmp/py-test-notify-unused' } },
    targets: {
      shop: {
        engine: 'mariadb',
        user: 'root',
        databases: ['shop'],
        destinations: ['local'],
        notify: Object.keys(channels ?? {}).map((channel) => ({
          channel,
          events: [...notificationEventNames],
        })),
      },
    },
    notifications: { channels, ...settings },
  });
}
