import { afterAll, describe, expect, it } from 'vitest';
import { copyDatabaseWithDumpTools } from '../support/copy-database.ts';
import { compareDatabases, describeDatabase } from '../support/database-fingerprint.ts';
import { createDatabase, dropDatabase, uniqueDatabaseName } from '../support/sample-databases.ts';
import type { Engine } from '../support/servers.ts';
import { blobSamples, fourByteUtf8Samples } from '../support/special-content.ts';
import {
  insertSpecialContentProbe,
  readSpecialContentProbe,
  SPECIAL_CONTENT_PROBE_ROWS,
} from '../support/special-content-probe.ts';

/** The probe survives a stock dump round trip, and the finders see exactly its hostile values. */

const created: { engine: Engine; name: string }[] = [];

afterAll(async () => {
  for (const { engine, name } of created) await dropDatabase(engine, name);
});

describe.each(['mariadb', 'postgres'] as const)('special-content probe on %s', (engine) => {
  it('reads back as inserted, before and after a dump copy', async () => {
    const name = uniqueDatabaseName(`${engine}_probe`);
    const copy = uniqueDatabaseName(`${engine}_probe_copy`);
    created.push({ engine, name }, { engine, name: copy });
    await createDatabase(engine, name);
    await insertSpecialContentProbe(engine, name);
    expect(await readSpecialContentProbe(engine, name)).toEqual(SPECIAL_CONTENT_PROBE_ROWS);

    const table = engine === 'mariadb' ? 'py_special_content' : 'public.py_special_content';
    const utf8 = await fourByteUtf8Samples(engine, name);
    // Ordered by their UTF-8 bytes: U+1D11E (F09D…) before U+1F37B (F09F…).
    expect(utf8.map((s) => [s.table, s.column, s.value, s.rows])).toEqual([
      [table, 'text_value', '𝄞 clef, 𠜎 ext-B, \u{10FFFF} max', 1],
      [table, 'text_value', '🍻😀', 1],
    ]);
    expect(utf8[1]?.utf8Hex).toBe('F09F8DBBF09F9880');
    const blobs = await blobSamples(engine, name);
    // Non-empty blobs only: the empty one and the NULL one are not samples.
    expect(blobs.map((b) => b.bytes).sort((x, y) => x - y)).toEqual([7, 18, 256]);

    await copyDatabaseWithDumpTools(engine, name, copy);
    expect(await readSpecialContentProbe(engine, copy)).toEqual(SPECIAL_CONTENT_PROBE_ROWS);
    expect(await fourByteUtf8Samples(engine, copy)).toEqual(utf8);
    expect(await blobSamples(engine, copy)).toEqual(blobs);
    expect(
      compareDatabases(await describeDatabase(engine, name), await describeDatabase(engine, copy)),
    ).toEqual([]);
  });
});
