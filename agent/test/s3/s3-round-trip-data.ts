import { randomBytes } from 'node:crypto';
import { mariadbServer, postgresServer, withMariadb, withPostgres } from '../support/servers.ts';
import type { Engine } from '../support/servers.ts';
import { postgresMaintenanceDatabase } from '../support/servers.ts';

/**
 * A small database for the S3 round trip: text with emoji, a BLOB of every byte value, and
 * incompressible BLOBs large enough (8 MiB) that the artifact is a multipart upload at 5 MiB parts.
 */
export const EMOJI_TEXT = 'port-yard 🐳 ✓ 𝄞 naïve 中文';
const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const bigBlobs = [randomBytes(2 * 1024 * 1024), randomBytes(2 * 1024 * 1024), randomBytes(4 * 1024 * 1024)];

export async function createSampleDatabase(engine: Engine, name: string): Promise<void> {
  if (engine === 'mariadb') {
    await withMariadb(mariadbServer, undefined, async (db) => {
      await db.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      await db.query(`USE \`${name}\``);
      await db.query(
        'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, payload LONGBLOB, price DECIMAL(10,2))',
      );
      await db.query('CREATE TABLE notes (id INT AUTO_INCREMENT PRIMARY KEY, body TEXT) ENGINE=InnoDB');
      await db.query('INSERT INTO items VALUES (?, ?, ?, ?)', [1, EMOJI_TEXT, everyByte, '12.50']);
      for (const [i, blob] of bigBlobs.entries()) {
        await db.query('INSERT INTO items VALUES (?, ?, ?, ?)', [i + 2, `big ${i}`, blob, null]);
      }
      await db.query('INSERT INTO notes (body) VALUES (?), (?)', [EMOJI_TEXT, 'it\'s "quoted"\n\\']);
    });
    return;
  }
  await withPostgres(postgresServer, postgresMaintenanceDatabase, (db) =>
    db.query(`CREATE DATABASE "${name}"`),
  );
  await withPostgres(postgresServer, name, async (db) => {
    await db.query(
      'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, payload bytea, price numeric(10,2))',
    );
    await db.query('CREATE TABLE notes (id serial PRIMARY KEY, body text)');
    await db.query('INSERT INTO items VALUES ($1, $2, $3, $4)', [1, EMOJI_TEXT, everyByte, '12.50']);
    for (const [i, blob] of bigBlobs.entries()) {
      await db.query('INSERT INTO items VALUES ($1, $2, $3, $4)', [i + 2, `big ${i}`, blob, null]);
    }
    await db.query('INSERT INTO notes (body) VALUES ($1), ($2)', [EMOJI_TEXT, 'it\'s "quoted"\n\\']);
  });
}

/** Every row, BLOBs as length and SHA-256 (the every-byte one as hex), in a comparable shape. */
export async function readSampleRows(engine: Engine, name: string): Promise<unknown[]> {
  if (engine === 'mariadb') {
    return withMariadb(mariadbServer, name, async (db) => {
      const [items] = await db.query(
        'SELECT id, name, LENGTH(payload) AS bytes, SHA2(payload, 256) AS sha, IF(id = 1, HEX(payload), NULL) AS hex, price FROM items ORDER BY id',
      );
      const [notes] = await db.query('SELECT id, body FROM notes ORDER BY id');
      return [items, notes];
    });
  }
  return withPostgres(postgresServer, name, async (db) => {
    const items = await db.query(
      "SELECT id, name, length(payload) AS bytes, encode(sha256(payload), 'hex') AS sha, CASE WHEN id = 1 THEN upper(encode(payload, 'hex')) END AS hex, price FROM items ORDER BY id",
    );
    const notes = await db.query('SELECT id, body FROM notes ORDER BY id');
    return [items.rows, notes.rows];
  });
}
