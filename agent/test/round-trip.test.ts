import { afterAll, describe, expect, it } from 'vitest';
import type { CompressionName } from '@port-yard/shared';
import { compareDatabases, describeDatabase } from './support/database-fingerprint.ts';
import { dropDatabase, loadSampleDatabase, uniqueDatabaseName } from './support/sample-databases.ts';
import type { Engine } from './support/servers.ts';
import {
  blobSamples,
  fourByteUtf8Samples,
  MIXED_CHARSET_EMOJI,
  SAKILA_STAFF_PICTURE,
} from './support/special-content.ts';
import {
  insertSpecialContentProbe,
  readSpecialContentProbe,
  SPECIAL_CONTENT_PROBE_ROWS,
} from './support/special-content-probe.ts';
import { createTempAgent, localMariadb, localPostgres, type TempAgent } from './harness/temp-agent.ts';

/**
 * The core promise: a sample database backed up by Port-Yard and restored under another name is
 * the same database: per-table checksums / ordered row hashes, column definitions, views,
 * triggers, routines, events, 4-byte UTF-8 and binary data.
 */
interface Case {
  readonly engine: Engine;
  readonly kind: string;
  readonly compression: CompressionName;
  readonly dumpFormat?: 'custom' | 'plain';
}

const cases: Case[] = [
  { engine: 'mariadb', kind: 'sakila', compression: 'zstd' },
  { engine: 'mariadb', kind: 'chinook', compression: 'gzip' },
  { engine: 'mariadb', kind: 'gh-ost:bit-dml', compression: 'zstd' },
  { engine: 'mariadb', kind: 'gh-ost:json57dml', compression: 'zstd' },
  { engine: 'mariadb', kind: 'gh-ost:keyword-column', compression: 'zstd' },
  { engine: 'mariadb', kind: 'gh-ost:mixed-charset', compression: 'none' },
  { engine: 'mariadb', kind: 'gh-ost:spatial57', compression: 'zstd' },
  { engine: 'postgres', kind: 'pagila', compression: 'zstd' },
  { engine: 'postgres', kind: 'sakila', compression: 'zstd', dumpFormat: 'plain' },
  { engine: 'postgres', kind: 'chinook', compression: 'gzip' },
];

const created: { engine: Engine; name: string }[] = [];
const agents: TempAgent[] = [];

afterAll(async () => {
  for (const { engine, name } of created) await dropDatabase(engine, name);
  await Promise.all(agents.map((agent) => agent.cleanup()));
});

async function backUpAndRestore(testCase: Case, source: string): Promise<string> {
  const base = testCase.engine === 'mariadb' ? localMariadb : localPostgres;
  const temp = await createTempAgent({
    sample: {
      ...base,
      databases: [source],
      compression: testCase.compression,
      dumpFormat: testCase.dumpFormat,
    },
  });
  agents.push(temp);
  const result = await temp.agent.backup({ targetName: 'sample' });
  expect(result.failures).toEqual([]);
  expect(result.status).toBe('succeeded');
  const [artifact] = result.artifacts;
  const copy = uniqueDatabaseName(`py_t_rt_${testCase.engine}`);
  created.push({ engine: testCase.engine, name: copy });
  await temp.agent.restoreToNewDatabase({ artifactId: artifact!.id, toDatabase: copy });
  const manifest = temp.agent.catalog.get(artifact!.id)!.manifest;
  expect(manifest).toMatchObject({ target: 'sample', database: source, engine: testCase.engine });
  expect(manifest.compression.algorithm).toBe(testCase.compression);
  expect(manifest.tables.length).toBeGreaterThan(0);
  return copy;
}

describe.each(cases)('round trip: $engine $kind ($compression)', (testCase) => {
  it('restores an identical database under another name', async () => {
    const source = uniqueDatabaseName(`py_t_src_${testCase.engine}`);
    created.push({ engine: testCase.engine, name: source });
    await loadSampleDatabase(testCase.engine, testCase.kind as never, source);
    if (testCase.kind === 'sakila' || testCase.kind === 'pagila')
      await insertSpecialContentProbe(testCase.engine, source);

    const copy = await backUpAndRestore(testCase, source);

    const [before, after] = await Promise.all([
      describeDatabase(testCase.engine, source),
      describeDatabase(testCase.engine, copy),
    ]);
    expect(compareDatabases(before, after)).toEqual([]);
    expect(Object.keys(before.tables).length).toBeGreaterThan(0);
    expect(await fourByteUtf8Samples(testCase.engine, copy)).toEqual(
      await fourByteUtf8Samples(testCase.engine, source),
    );
    expect(await blobSamples(testCase.engine, copy)).toEqual(await blobSamples(testCase.engine, source));
    if (testCase.kind === 'sakila' || testCase.kind === 'pagila') {
      expect(await readSpecialContentProbe(testCase.engine, copy)).toEqual(SPECIAL_CONTENT_PROBE_ROWS);
    }
    if (testCase.engine === 'mariadb' && testCase.kind === 'sakila') {
      const blobs = await blobSamples('mariadb', copy);
      expect(blobs).toContainEqual(
        expect.objectContaining({
          table: 'staff',
          column: 'picture',
          bytes: SAKILA_STAFF_PICTURE.bytes,
          md5: SAKILA_STAFF_PICTURE.md5,
        }),
      );
    }
    if (testCase.kind === 'gh-ost:mixed-charset') {
      const texts = await fourByteUtf8Samples('mariadb', copy);
      expect(texts.some((sample) => sample.value.includes(MIXED_CHARSET_EMOJI))).toBe(true);
    }
  });
});
