import { configSchema } from '@port-yard/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgent } from '../../src/main.ts';
import { collect } from '../../src/storage/storage-contract-bodies.ts';
import { dropDatabase, uniqueDatabaseName } from '../support/sample-databases.ts';
import type { Engine } from '../support/servers.ts';
import { createSampleDatabase, EMOJI_TEXT, readSampleRows } from './s3-round-trip-data.ts';
import { incompleteUploads } from './s3-test-storage.ts';
import { useS3rver } from './s3rver.ts';

/**
 * The whole agent with an S3 storage: a real backup of a real database into s3rver, and a restore
 * from there under another name, built from a config like an operator's (`createAgent`).
 */
const server = useS3rver();
const created: { engine: Engine; name: string }[] = [];

afterAll(async () => {
  for (const { engine, name } of created) await dropDatabase(engine, name);
});

const targets = {
  mariadb: { engine: 'mariadb', host: '127.0.0.1', port: 3306, user: 'root' },
  postgres: { engine: 'postgres', host: '127.0.0.1', port: 5432, user: 'postgres' },
} as const;

describe.each(['mariadb', 'postgres'] as const)('s3 round trip: %s', (engine) => {
  it('backs up into S3 and restores an identical database from it', async () => {
    const s3 = await server();
    const source = uniqueDatabaseName(`py_t_s3_${engine}`);
    const copy = uniqueDatabaseName(`py_t_s3_${engine}_copy`);
    created.push({ engine, name: source }, { engine, name: copy });
    await createSampleDatabase(engine, source);

    const prefix = `round-trip-${engine}/`;
    const agent = createAgent(
      configSchema.parse({
        version: 1,
        storages: {
          offsite: {
            type: 's3',
            endpoint: s3.endpoint,
            bucket: s3.bucket,
            prefix,
            forcePathStyle: true,
            accessKeyId: s3.accessKeyId,
            secretAccessKey: s3.secretAccessKey,
            partSizeMiB: 5,
          },
        },
        targets: { sample: { ...targets[engine], databases: [source], destinations: ['offsite'] } },
      }),
    );
    const result = await agent.backup({ targetName: 'sample' });
    expect(result.failures).toEqual([]);
    expect(result.status).toBe('succeeded');
    const [artifact] = result.artifacts;

    // The artifact is in the bucket: its data object (a multipart upload at 5 MiB parts) and manifest.
    const objects = await collect(agent.storages.get('offsite')!.list(''));
    expect(objects.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...objects.map((object) => object.size))).toBeGreaterThan(5 * 1024 * 1024);
    expect(await incompleteUploads(s3, prefix)).toEqual([]);

    await agent.restoreToNewDatabase({ artifactId: artifact!.id, toDatabase: copy });
    const [before, after] = await Promise.all([readSampleRows(engine, source), readSampleRows(engine, copy)]);
    expect(after).toEqual(before);
    expect(before).toMatchObject([{ length: 4 }, { length: 2 }]);
    expect(JSON.stringify(after)).toContain(EMOJI_TEXT);
  });
});
