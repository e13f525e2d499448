import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDatabaseWithDumpTools } from '../support/copy-database.ts';
import {
  compareDatabases,
  describeDatabase,
  objectCounts,
  rowCounts,
} from '../support/database-fingerprint.ts';
import type { DatabaseDescription } from '../support/database-fingerprint.ts';
import {
  dropDatabase,
  expectedSampleCounts,
  loadSampleDatabase,
  postgresSamples,
  uniqueDatabaseName,
} from '../support/sample-databases.ts';
import type { PostgresSample } from '../support/sample-databases.ts';
import { postgresServer, withPostgres } from '../support/servers.ts';
import { blobSamples, fourByteUtf8Samples } from '../support/special-content.ts';

/**
 * Each sample: loads, matches expected-counts.json, describes the same twice, survives a plain
 * pg_dump -Fc | pg_restore copy with no reported difference (no false alarms), and a changed row,
 * an advanced sequence and a dropped view in that copy are each reported (no blind spots).
 */

const mutations: Record<PostgresSample, { sql: string; expect: string }> = {
  // A partition leaf: the parent is hashed ONLY, so the change must show on the leaf.
  pagila: {
    sql: 'UPDATE public.payment SET amount = amount + 1 WHERE payment_id = 16051',
    expect: 'tables › public.payment_p2022_01 › contentHash',
  },
  sakila: {
    sql: "UPDATE public.actor SET first_name = 'PENELOPF' WHERE actor_id = 1",
    expect: 'tables › public.actor',
  },
  chinook: {
    sql: "UPDATE public.artist SET name = 'AC/DD' WHERE artist_id = 1",
    expect: 'tables › public.artist',
  },
};

const created: string[] = [];
const databases = new Map<PostgresSample, { name: string; copy: string }>();
const described = new Map<PostgresSample, DatabaseDescription>();

afterAll(async () => {
  for (const name of created) await dropDatabase('postgres', name);
});

describe.each(postgresSamples)('PostgreSQL sample %s', (kind) => {
  const name = uniqueDatabaseName(`pg_${kind}`);
  const copy = uniqueDatabaseName(`pg_${kind}_copy`);
  databases.set(kind, { name, copy });
  let original: DatabaseDescription;

  beforeAll(async () => {
    created.push(name, copy);
    await loadSampleDatabase('postgres', kind, name);
    original = await describeDatabase('postgres', name);
    described.set(kind, original);
  });

  it('has the counts expected-counts.json lists', () => {
    const expected = expectedSampleCounts('postgres', kind);
    if (expected === undefined) throw new Error(`expected-counts.json lists no ${kind}`);
    expect(rowCounts(original)).toMatchObject(expected.rowCounts);
    expect(objectCounts(original)).toMatchObject(expected.objectCounts);
  });

  it('describes the same twice', async () => {
    const again = await describeDatabase('postgres', name);
    expect(compareDatabases(original, again)).toEqual([]);
    expect(again).toEqual(original);
  });

  it('finds no difference in a pg_dump copy, and finds a changed row in it', async () => {
    await copyDatabaseWithDumpTools('postgres', name, copy);
    expect(compareDatabases(original, await describeDatabase('postgres', copy))).toEqual([]);

    await withPostgres(postgresServer, copy, (c) => c.query(mutations[kind].sql));
    const differences = compareDatabases(original, await describeDatabase('postgres', copy));
    // Triggers may touch last_update too, but only the one table's hash may differ.
    expect(differences).toHaveLength(1);
    expect(differences[0]).toContain(mutations[kind].expect);
  });
});

describe('PostgreSQL blind spots', () => {
  it('an advanced sequence and a dropped view are reported; ignore leaves them out', async () => {
    const { name, copy } = databases.get('pagila') ?? { name: '', copy: '' };
    await withPostgres(postgresServer, copy, async (c) => {
      await c.query("SELECT nextval('public.actor_actor_id_seq')");
      await c.query('DROP VIEW public.actor_info');
    });
    const original = described.get('pagila');
    if (original === undefined) throw new Error('pagila not loaded');
    const changed = await describeDatabase('postgres', copy);
    expect(compareDatabases(original, changed)).toEqual([
      `objects › sequences › public.actor_actor_id_seq › lastValue: "200" in ${name}, "201" in ${copy}`,
      `objects › views: 7 in ${name}, 6 in ${copy}`,
      `objects › views › public.actor_info: only in ${name}`,
      `tables › public.payment_p2022_01 › contentHash: "${original.tables['public.payment_p2022_01']?.contentHash}" in ${name}, "${changed.tables['public.payment_p2022_01']?.contentHash}" in ${copy}`,
    ]);
    expect(
      compareDatabases(original, changed, {
        ignore: [['objects', 'views'], ['objects', 'sequences', '*', 'lastValue'], ['tables']],
      }),
    ).toEqual([]);
  });

  it('the fixtures hold no 4-byte UTF-8 and no binary data (use the special-content probe)', async () => {
    for (const kind of postgresSamples) {
      const { name } = databases.get(kind) ?? { name: '' };
      expect(await fourByteUtf8Samples('postgres', name)).toEqual([]);
      expect(await blobSamples('postgres', name)).toEqual([]);
    }
  });
});

describe('PostgreSQL descriptions of different samples', () => {
  it('report the differences', () => {
    const pagila = described.get('pagila');
    const sakila = described.get('sakila');
    if (pagila === undefined || sakila === undefined) throw new Error('samples not loaded');
    const differences = compareDatabases(pagila, sakila);
    expect(differences).toContain(`objects › matviews › public.rental_by_category: only in ${pagila.name}`);
    expect(differences).toContain(
      `tables › public.film_category › rows: 2367 in ${pagila.name}, 1000 in ${sakila.name}`,
    );
  });
});
