import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, databaseNameProblem } from '@port-yard/shared';
import { createOdd2, dropOdd2, odd2Dir, odd2Prefix } from './odd2.ts';

/**
 * A pattern like `[^\p{Cc}/\\]` with the `u` flag matches a lone surrogate: `databases:
 * ["shop\ud800"]` (a YAML or JSON escape) passed `config check`. Every boundary then wrote it as U+FFFD (node-pg, argv, the folder name), so
 * pg_dump dumps the database `shop\uFFFD`, the artifact lands in `p/shop\uFFFD/`, but its
 * manifest (JSON.stringify keeps `\ud800` as an escape) names `shop\ud800`: the catalog
 * reports a corrupt manifest ("content does not match its location"), so a backup that
 * succeeded can be neither listed nor restored (filesystem, SFTP, rclone alike; S3 fails the
 * put with "URIError: URI malformed").
 */
const prefix = odd2Prefix();
const configured = `${prefix}x\ud800y`;
const onServer = `${prefix}x\ufffdy`;
let dir: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  dir = await odd2Dir();
  await createOdd2('postgres', onServer, ['one']);
});
afterAll(async () => {
  await dropOdd2('postgres', prefix);
  await dir?.cleanup();
});

describe('a database name with a lone surrogate', () => {
  it('is refused by the name rule, in the config too (it could not be found again)', () => {
    expect(databaseNameProblem(configured, 'postgres')).toContain('must be 1-64 characters');
    const parsed = configSchema.safeParse({
      version: 1,
      storages: { local: { type: 'filesystem', path: join(dir.dir, 'backups') } },
      targets: {
        p: {
          engine: 'postgres',
          host: '127.0.0.1',
          user: 'postgres',
          databases: [configured],
          destinations: ['local'],
        },
      },
    });
    expect(parsed.success).toBe(false);
  });
});
