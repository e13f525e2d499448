import { expect, it } from 'vitest';
import { configSchema } from './config-schema.ts';

it('a database, excluded database or destination listed twice is an error naming the second', () => {
  const result = configSchema.safeParse({
    version: 1,
    storages: { local: { type: 'filesystem', path: '/x' } },
    targets: {
      shop: {
        engine: 'mariadb',
        user: 'root',
        databases: ['shop', 'crm', 'shop'],
        destinations: ['local', 'local'],
      },
      all: {
        engine: 'postgres',
        user: 'postgres',
        databases: 'all',
        exclude: ['tmp', 'tmp'],
        destinations: ['local'],
      },
    },
  });
  expect(result.success).toBe(false);
  expect(result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
    'targets.shop.databases.2: "shop" is listed twice',
    'targets.shop.destinations.1: "local" is listed twice',
    'targets.all.exclude.1: "tmp" is listed twice',
  ]);
});
