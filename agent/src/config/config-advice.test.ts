import { describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { configAdvice } from './config-advice.ts';

const target = { engine: 'postgres', user: 'backup', databases: ['shop'], destinations: ['local'] };
const configWith = (targets: Record<string, object>) =>
  configSchema.parse({ version: 1, storages: { local: { type: 'filesystem', path: '/b' } }, targets });

describe('configAdvice', () => {
  it('warns of a scheduled target that no timeout or maxAge watches, and of nothing else', () => {
    const advice = configAdvice(
      configWith({
        unwatched: { ...target, schedule: '0 3 * * *' },
        timed: { ...target, schedule: '0 3 * * *', timeout: '2h' },
        watched: { ...target, schedule: '0 3 * * *', maxAge: '26h' },
        manual: target,
      }),
    );
    expect(advice).toEqual([
      {
        path: 'targets.unwatched',
        message: expect.stringMatching(
          /^scheduled, but with neither timeout nor maxAge: a backup that hangs/,
        ),
      },
    ]);
  });
});
