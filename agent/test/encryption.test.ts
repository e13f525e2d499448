import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempAgent, localMariadb, type TempAgent } from './harness/temp-agent.ts';
import { mariadbExec, uniqueName } from './harness/sql.ts';

/**
 * Encryption at rest: what Port-Yard stores is a standard age file that the real `age` CLI
 * decrypts without Port-Yard, and Port-Yard restores it with the identity file.
 */
const database = uniqueName('py_t_age');
const secretRow = 'a-row-only-visible-after-decryption';
let keys: string;
let identityFile: string;
let recipient: string;
let temp: TempAgent;
let withoutIdentity: TempAgent;

beforeAll(async () => {
  keys = await mkdtemp(join(tmpdir(), 'py-test-age-'));
  identityFile = join(keys, 'key.txt');
  execFileSync('age-keygen', ['-o', identityFile], { stdio: 'ignore' });
  recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim();
  await mariadbExec(`CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY, v TEXT);
    INSERT INTO ${database}.t VALUES (1, '${secretRow}');`);
  temp = await createTempAgent({
    t: { ...localMariadb, databases: [database], encryption: { recipients: [recipient], identityFile } },
  });
  withoutIdentity = await createTempAgent(
    { t: { ...localMariadb, databases: [database], encryption: { recipients: [recipient] } } },
    temp.storageRoot,
  );
});

afterAll(async () => {
  await mariadbExec(
    `DROP DATABASE IF EXISTS ${database}; DROP DATABASE IF EXISTS ${database}_copy; DROP DATABASE IF EXISTS ${database}_nokey`,
  );
  await temp.cleanup();
  await withoutIdentity.cleanup();
  await rm(keys, { recursive: true, force: true });
});

describe('age encryption at rest', () => {
  it('stores an age file that the age CLI decrypts, and restores it with the identity', async () => {
    const result = await temp.agent.backup({ targetName: 't' });
    expect(result.status).toBe('succeeded');
    const entry = temp.agent.catalog.get(result.artifacts[0]!.id)!;
    expect(entry.manifest.encryption).toEqual({ algorithm: 'age', recipients: [recipient] });
    expect(entry.manifest.dataObject).toMatch(/\.sql\.zst\.age$/);
    const file = join(temp.storageRoot, entry.locations[0]!.dataKey);
    const stored = await readFile(file);
    expect(stored.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    expect(stored.includes(secretRow)).toBe(false);

    const decrypted = execFileSync(
      'sh',
      ['-c', 'age --decrypt --identity "$1" "$2" | zstd -dc', 'sh', identityFile, file],
      { encoding: 'utf8' },
    );
    expect(decrypted).toContain(secretRow);
    expect(decrypted).toMatch(/-- Dump completed/);
    expect(decrypted.length).toBe(entry.manifest.rawBytes);

    await temp.agent.restoreToNewDatabase({
      artifactId: entry.manifest.artifactId,
      toDatabase: `${database}_copy`,
    });
    expect(await mariadbExec(`SELECT v FROM ${database}_copy.t`)).toEqual([{ v: secretRow }]);
  });

  it('refuses to restore without an identity file, creating nothing', async () => {
    await withoutIdentity.agent.catalog.refresh();
    const [entry] = withoutIdentity.agent.catalog.list();
    await expect(
      withoutIdentity.agent.restoreToNewDatabase({
        artifactId: entry!.manifest.artifactId,
        toDatabase: `${database}_nokey`,
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('encryption.identityFile'),
    });
    expect(await mariadbExec(`SHOW DATABASES LIKE '${database}_nokey'`)).toEqual([]);
  });

  // After a key rotation the config names a new identity that old artifacts were not made for.
  // Without staging there is no staged copy to prove the key on: the artifact must still be
  // decrypted (and thrown away) before the database is emptied, not while it is loaded.
  it('restores nothing over the source without staging when the identity does not fit', async () => {
    const rotated = join(keys, 'rotated.txt');
    execFileSync('age-keygen', ['-o', rotated], { stdio: 'ignore' });
    const wrongKey = await createTempAgent(
      {
        t: {
          ...localMariadb,
          databases: [database],
          encryption: { recipients: [recipient], identityFile: rotated },
          restore: { staging: false },
        },
      },
      temp.storageRoot,
    );
    try {
      await wrongKey.agent.catalog.refresh();
      const [entry] = wrongKey.agent.catalog.list({ target: 't' });
      await expect(
        wrongKey.agent.restore({ artifactId: entry!.manifest.artifactId, confirm: database }),
      ).rejects.toMatchObject({
        code: 'ENCRYPT_FAILED',
        message: expect.stringContaining('no identity matched'),
      });
      expect(await mariadbExec(`SELECT v FROM ${database}.t`)).toEqual([{ v: secretRow }]);
      expect(wrongKey.agent.catalog.list({ target: 't' })).toHaveLength(1); // no safety backup was taken
    } finally {
      await wrongKey.cleanup();
    }
  });
});
