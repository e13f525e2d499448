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
  mariadbSamples,
  uniqueDatabaseName,
} from '../support/sample-databases.ts';
import type { MariadbSample } from '../support/sample-databases.ts';
import { mariadbServer, withMariadb } from '../support/servers.ts';
import {
  blobSamples,
  fourByteUtf8Samples,
  MIXED_CHARSET_EMOJI,
  SAKILA_STAFF_PICTURE,
} from '../support/special-content.ts';

/**
 * Each sample: loads, matches expected-counts.json, describes the same twice, survives a plain
 * mariadb-dump copy with no reported difference (no false alarms), and one changed row in that
 * copy is reported (no blind spot).
 */

/** One row changed per sample, and the difference line it must produce. */
const mutations: Record<MariadbSample, { sql: string; expect: string }> = {
  sakila: {
    sql: "UPDATE actor SET first_name = 'PENELOPF' WHERE actor_id = 1",
    expect: 'tables › actor › contentHash',
  },
  chinook: {
    sql: "UPDATE Artist SET Name = 'AC/DD' WHERE ArtistId = 1",
    expect: 'tables › Artist › contentHash',
  },
  'gh-ost:bit-dml': {
    sql: "UPDATE gh_ost_test SET is_good = b'1' WHERE id = 1",
    expect: 'tables › gh_ost_test › contentHash',
  },
  'gh-ost:json57dml': {
    sql: 'UPDATE gh_ost_test SET j = \'{"key":"changed"}\' ORDER BY id LIMIT 1',
    expect: 'tables › gh_ost_test › contentHash',
  },
  'gh-ost:keyword-column': {
    sql: "UPDATE gh_ost_test SET color = 'purple' WHERE id = 1",
    expect: 'tables › gh_ost_test › contentHash',
  },
  // What a wrong client charset does to emoji: they become question marks.
  'gh-ost:mixed-charset': {
    sql: `UPDATE gh_ost_test SET tutf8mb4 = '??' WHERE tutf8mb4 = '${MIXED_CHARSET_EMOJI}' ORDER BY id LIMIT 1`,
    expect: 'tables › gh_ost_test › contentHash',
  },
  'gh-ost:spatial57': {
    sql: 'UPDATE gh_ost_test SET pt = POINT(99, 99) ORDER BY id LIMIT 1',
    expect: 'tables › gh_ost_test › contentHash',
  },
};

const created: string[] = [];
/** Sample → its database and its dump copy (names fixed while vitest collects the tests). */
const databases = new Map<MariadbSample, { name: string; copy: string }>();
const described = new Map<MariadbSample, DatabaseDescription>();

function databasesOf(kind: MariadbSample): { name: string; copy: string } {
  const found = databases.get(kind);
  if (found === undefined) throw new Error(`${kind} was not set up`);
  return found;
}

afterAll(async () => {
  for (const name of created) await dropDatabase('mariadb', name);
});

describe.each(mariadbSamples)('MariaDB sample %s', (kind) => {
  const name = uniqueDatabaseName(kind);
  const copy = uniqueDatabaseName(`${kind}_copy`);
  databases.set(kind, { name, copy });
  let original: DatabaseDescription;

  beforeAll(async () => {
    created.push(name, copy);
    await loadSampleDatabase('mariadb', kind, name);
    original = await describeDatabase('mariadb', name);
    described.set(kind, original);
  });

  it('has the counts expected-counts.json lists', () => {
    const expected = expectedSampleCounts('mariadb', kind);
    if (expected === undefined) {
      // Not listed: at least the rows the loader promises must be there.
      expect(Object.values(rowCounts(original)).every((n) => n > 0)).toBe(true);
      return;
    }
    expect(rowCounts(original)).toMatchObject(expected.rowCounts);
    expect(objectCounts(original)).toMatchObject(expected.objectCounts);
  });

  it('describes the same twice', async () => {
    const again = await describeDatabase('mariadb', name);
    expect(compareDatabases(original, again)).toEqual([]);
    expect(again).toEqual(original);
  });

  it('finds no difference in a mariadb-dump copy, and finds one changed row in it', async () => {
    await copyDatabaseWithDumpTools('mariadb', name, copy);
    expect(compareDatabases(original, await describeDatabase('mariadb', copy))).toEqual([]);

    await withMariadb(mariadbServer, copy, (c) => c.query(mutations[kind].sql));
    const differences = compareDatabases(original, await describeDatabase('mariadb', copy));
    expect(differences).toHaveLength(1);
    expect(differences[0]).toContain(mutations[kind].expect);
    expect(differences[0]).toContain(name);
    expect(differences[0]).toContain(copy);
  });
});

describe('MariaDB special content', () => {
  it("sakila's staff.picture is the one blob, a 36,365-byte PNG", async () => {
    const sakila = databasesOf('sakila').name;
    expect(await blobSamples('mariadb', sakila)).toEqual([{ ...SAKILA_STAFF_PICTURE, rows: 1 }]);
    expect(await fourByteUtf8Samples('mariadb', sakila)).toEqual([]);
  });

  it('mixed-charset holds the emoji once per event-body run, and the mutated copy lost one', async () => {
    const { name, copy } = databasesOf('gh-ost:mixed-charset');
    const sample = {
      table: 'gh_ost_test',
      column: 'tutf8mb4',
      value: MIXED_CHARSET_EMOJI,
      utf8Hex: 'F09F8DBBF09F9880',
    };
    expect(await fourByteUtf8Samples('mariadb', name)).toEqual([{ ...sample, rows: 4 }]);
    expect(await fourByteUtf8Samples('mariadb', copy)).toEqual([{ ...sample, rows: 3 }]);
  });
});

describe('MariaDB descriptions of different samples', () => {
  it('report tables only on one side, with counts', () => {
    const sakila = described.get('sakila');
    const chinook = described.get('chinook');
    if (sakila === undefined || chinook === undefined) throw new Error('samples not loaded');
    const differences = compareDatabases(sakila, chinook);
    expect(differences).toContain(`tables: 16 in ${sakila.name}, 11 in ${chinook.name}`);
    expect(differences).toContain(`tables › actor: only in ${sakila.name}`);
    expect(differences).toContain(`objects › views: 7 in ${sakila.name}, 0 in ${chinook.name}`);
    expect(differences).toContain(`objects › views › actor_info: only in ${sakila.name}`);
  });
});
