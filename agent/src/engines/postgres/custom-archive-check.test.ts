import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresExec, uniqueName } from '../../../test/harness/sql.ts';
import { customArchiveCheck } from './custom-archive-check.ts';

/**
 * The check against real pg_dump archives of the local server: every table, a table without
 * rows, large objects (their own kind of block), a sequence, a materialized view; uncompressed
 * as the pipeline asks for (a chunk per row), and compressed by pg_dump.
 */
const run = promisify(execFile);
const database = uniqueName('py_t_custom');
let plain: Buffer;
let compressed: Buffer;

async function pgDump(...args: string[]): Promise<Buffer> {
  const { stdout } = await run(
    'pg_dump',
    ['--format=custom', ...args, '-h', '127.0.0.1', '-U', 'postgres', database],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

function problemOf(archive: Buffer, chunkSizes: readonly number[] = [archive.length]): string | undefined {
  const check = customArchiveCheck('pg_dump');
  let offset = 0;
  for (let index = 0; offset < archive.length; index++) {
    const size = chunkSizes[index % chunkSizes.length]!;
    check.observe(archive.subarray(offset, offset + size));
    offset += size;
  }
  return check.problem();
}

beforeAll(async () => {
  await postgresExec(`CREATE DATABASE ${database}`);
  await postgresExec(
    `CREATE TABLE rows (id int PRIMARY KEY, body text);
     INSERT INTO rows SELECT g, repeat(md5(g::text), 1 + g % 5) FROM generate_series(1, 3000) g;
     CREATE TABLE nothing (x int);
     CREATE SEQUENCE counter; SELECT setval('counter', 42);
     CREATE MATERIALIZED VIEW few AS SELECT id FROM rows WHERE id < 10;
     SELECT lo_from_bytea(0, '\\x0102'::bytea), lo_from_bytea(0, convert_to(repeat('x', 70000), 'UTF8'));
     CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
    database,
  );
  [plain, compressed] = await Promise.all([pgDump('--compress=0'), pgDump('--compress=6')]);
}, 60_000);

afterAll(async () => {
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe('customArchiveCheck', () => {
  it('takes a whole archive, however its bytes come, uncompressed or compressed', () => {
    for (const archive of [plain, compressed]) {
      expect(problemOf(archive)).toBeUndefined();
      expect(problemOf(archive, [1])).toBeUndefined();
      expect(problemOf(archive, [3, 7, 1, 4096, 2, 65536])).toBeUndefined();
    }
  });

  it('refuses every cut: in the header, the table of contents, a block, and between blocks', () => {
    // One check fed a byte at a time, asked after each: every prefix of the archive in one pass.
    const check = customArchiveCheck('pg_dump');
    const ends =
      /ends (inside the header|inside the table of contents|inside a data block header|inside the data block|after a data block)/;
    const where = new Map<string, number>();
    expect(check.problem()).toMatch(/does not start with PGDMP/);
    for (let at = 0; at < plain.length - 1; at++) {
      check.observe(plain.subarray(at, at + 1));
      const problem = check.problem();
      if (!problem || !/stopped early|does not start with PGDMP/.test(problem))
        expect.fail(`cut after ${at + 1} of ${plain.length} bytes: ${problem}`);
      const kind = ends.exec(problem!)?.[1] ?? 'no magic';
      where.set(kind, (where.get(kind) ?? 0) + 1);
    }
    check.observe(plain.subarray(plain.length - 1));
    expect(check.problem()).toBeUndefined();
    expect([...where.keys()].sort()).toEqual([
      'after a data block',
      'inside a data block header',
      'inside the data block',
      'inside the header',
      'inside the table of contents',
      'no magic',
    ]);
    expect(problemOf(compressed.subarray(0, compressed.length - 1))).toMatch(/stopped early/);
  });

  it('says how many of the listed blocks came: two tables and the large objects', () => {
    expect(problemOf(plain.subarray(0, plain.length - 1))).toMatch(
      /ends inside the data block of TOC entry \d+, with 2 of the 3 data blocks its table of contents lists: pg_dump stopped early/,
    );
  });

  it('refuses bytes after the last block and a damaged block', () => {
    expect(problemOf(Buffer.concat([plain, Buffer.from([1, 0, 9, 9, 9, 9])]))).toMatch(
      /not a well-formed custom-format archive \(a data block for TOC entry \d+, which lists none\)/,
    );
    expect(problemOf(Buffer.concat([plain, Buffer.from([7])]))).toMatch(/stopped early/);
    // The last block's end (a zero length, or a zero oid) made -1: a negative length, or a large
    // object whose chunks never come.
    const damaged = Buffer.concat([plain.subarray(0, plain.length - 5), Buffer.from([1, 1, 0, 0, 0])]);
    expect(problemOf(damaged)).toMatch(/negative chunk length|stopped early/);
  });

  it('refuses what is not a custom archive, and leaves an archive of a later version to pg_restore', () => {
    expect(problemOf(Buffer.from('-- PostgreSQL database dump\n'))).toMatch(
      /not a well-formed custom-format archive \(no PGDMP magic\)/,
    );
    const later = Buffer.from(plain.subarray(0, 200));
    later[6] = 17; // version 1.17
    expect(problemOf(later)).toBeUndefined();
    const tar = Buffer.from(plain);
    tar[10] = 3; // the format byte: tar
    expect(problemOf(tar)).toMatch(/format 3 is not the custom format/);
  });

  // Archive version 1.16 (pg_dump 17 and 18: TOC entries carry a relkind), which this machine's
  // pg_dump 15 does not write. Made by pg_dump 18.3 (the WASM build of @electric-sql/pglite-tools
  // 0.4.8, its output read as bytes) with --format=custom --compress=0 --inserts: two tables,
  // a large object, a sequence, a materialized view and a function.
  it('reads an archive of pg_dump 18 (version 1.16) and refuses its every cut', async () => {
    const archive = await readFile(new URL('fixtures/pg18-custom.pgdump', import.meta.url));
    expect(archive.subarray(5, 8)).toEqual(Buffer.from([1, 16, 0]));
    expect(problemOf(archive)).toBeUndefined();
    const check = customArchiveCheck('pg_dump');
    for (let at = 0; at < archive.length - 1; at++) {
      check.observe(archive.subarray(at, at + 1));
      if (!check.problem()?.includes('stopped early') && at >= 4) expect.fail(`cut after ${at + 1} bytes`);
    }
    expect(problemOf(archive.subarray(0, -1))).toMatch(/with 2 of the 3 data blocks/);
  });
});
