import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { createAgent } from '../../src/main.ts';
import type { SftpStorage } from '../../src/storage/sftp/sftp-storage.ts';
import { postgresExec } from '../harness/sql.ts';
import { dropDatabase, uniqueDatabaseName } from '../support/sample-databases.ts';
import { startSshd } from './sshd.ts';
import type { Sshd } from './sshd.ts';

/**
 * A real backup to an SSH server and a restore from it, through the composition root: the
 * config's `sftp` storage reaches the SFTP backend, the artifact lands as files on the server,
 * and the restored database has the same rows.
 */
let sshd: Sshd;
const databases: string[] = [];
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  for (const name of databases) await dropDatabase('postgres', name);
  await sshd?.stop();
});

const rowsOf = async (database: string): Promise<unknown[]> =>
  (
    await postgresExec(
      'SELECT id, name, note, encode(payload, $$hex$$) AS payload FROM items ORDER BY id',
      database,
    )
  ).rows;

describe('sftp round trip', () => {
  it('backs up PostgreSQL to an SSH server and restores it under another name', async () => {
    const source = uniqueDatabaseName('py_t_sftp_src');
    const copy = uniqueDatabaseName('py_t_sftp_copy');
    databases.push(source, copy);
    await postgresExec(`CREATE DATABASE "${source}"`);
    await postgresExec(
      `CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, note text, payload bytea);
       INSERT INTO items
         SELECT i, 'item ' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'naïve 🐘 ' || md5(i::text) END,
                decode(md5(i::text), 'hex')
         FROM generate_series(1, 5000) AS i;`,
      source,
    );
    const path = join(sshd.root, 'backups');
    const config = configSchema.parse({
      version: 1,
      storages: {
        nas: {
          type: 'sftp',
          host: sshd.host,
          port: sshd.port,
          user: sshd.user,
          privateKeyFile: sshd.privateKeyFile,
          hostKey: sshd.hostKeyFingerprint,
          path,
        },
      },
      targets: {
        pg: {
          engine: 'postgres',
          host: '127.0.0.1',
          port: 5432,
          user: 'postgres',
          databases: [source],
          destinations: ['nas'],
        },
      },
    });
    const agent = createAgent(config);
    try {
      const result = await agent.backup({ targetName: 'pg' });
      expect(result.failures).toEqual([]);
      expect(result.status).toBe('succeeded');
      const [artifact] = result.artifacts;
      const onServer = (await readdir(path, { recursive: true })).map(String);
      expect(onServer.filter((file) => file.includes('port-yard-tmp'))).toEqual([]);
      expect(onServer.some((file) => file.startsWith(`pg/${source}/`))).toBe(true);

      await agent.restoreToNewDatabase({ artifactId: artifact!.id, toDatabase: copy });
      const [before, after] = await Promise.all([rowsOf(source), rowsOf(copy)]);
      expect(after).toHaveLength(5000);
      expect(after).toEqual(before);
    } finally {
      await (agent.storages.get('nas') as SftpStorage).close();
    }
  });
});
