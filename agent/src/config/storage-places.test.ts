import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { loadConfig } from './load-config.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'port-yard-places-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads a config with these `storages:` lines; its problems, or [] when it loads. */
async function problemsWith(storages: string): Promise<unknown[]> {
  const file = join(dir, 'port-yard.yaml');
  await writeFile(file, `version: 1\nstorages:\n${storages}`);
  const error = await loadConfig(file, { env: {} }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error === undefined) return [];
  expect(error).toBeInstanceOf(ConfigError);
  return [...(error as ConfigError).problems];
}

const s3 = (name: string, rest: string): string =>
  `  ${name}: { type: s3, bucket: backups, accessKeyId: k, secretAccessKey: s, ${rest} }\n`;

describe('two storages at one place', () => {
  it('refuses filesystem paths that resolve to one folder, or one inside the other', async () => {
    const problems = await problemsWith(
      [
        '  local: { type: filesystem, path: ./b }',
        '  copy: { type: filesystem, path: b/ }',
        `  absolute: { type: filesystem, path: ${join(dir, 'x', '..', 'b')} }`,
        '  inner: { type: filesystem, path: ./b/shop }',
        '  outer: { type: filesystem, path: . }',
        '',
      ].join('\n'),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'storages.copy.path',
        line: 4,
        message: expect.stringMatching(
          /^is the same place as storage "local": .* give each storage its own path$/,
        ),
      }),
      expect.objectContaining({
        path: 'storages.absolute.path',
        message: expect.stringContaining('"local"'),
      }),
      expect.objectContaining({
        path: 'storages.inner.path',
        message: expect.stringContaining(`lies inside storage "local"'s folder`),
      }),
      expect.objectContaining({
        path: 'storages.outer.path',
        message: expect.stringContaining(`holds storage "local"'s folder`),
      }),
    ]);
    // A name that only starts like another folder's is another folder.
    expect(
      await problemsWith(
        '  local: { type: filesystem, path: ./b }\n  other: { type: filesystem, path: ./bb }\n',
      ),
    ).toEqual([]);
  });

  it('compares S3 storages by endpoint, bucket and prefix', async () => {
    const same = await problemsWith(
      s3('a', 'endpoint: "http://S3.local:9000", prefix: py') +
        s3('b', 'endpoint: "http://s3.local:9000/", prefix: py/'),
    );
    expect(same).toEqual([expect.objectContaining({ path: 'storages.b.prefix' })]);
    // No prefix holds every other prefix of the bucket.
    expect(await problemsWith(s3('a', 'prefix: ""') + s3('b', 'prefix: team/'))).toEqual([
      expect.objectContaining({ path: 'storages.b.prefix', message: expect.stringContaining('inside') }),
    ]);
    // Other prefixes, another bucket, another server: other places.
    expect(await problemsWith(s3('a', 'prefix: py/a') + s3('b', 'prefix: py/ab'))).toEqual([]);
    expect(
      await problemsWith(
        s3('a', 'prefix: py') + s3('b', 'prefix: py').replace('bucket: backups', 'bucket: other'),
      ),
    ).toEqual([]);
    expect(
      await problemsWith(s3('a', 'prefix: py') + s3('b', 'endpoint: "http://127.0.0.1:9000", prefix: py')),
    ).toEqual([]);
  });

  it('compares SFTP storages by host, port and path, and rclone storages by remote', async () => {
    const sftp = (name: string, rest: string): string =>
      `  ${name}: { type: sftp, user: u, password: p, hostKey: "SHA256:${'A'.repeat(43)}", ${rest} }\n`;
    expect(
      await problemsWith(
        sftp('a', 'host: NAS.lan, path: /backups/') + sftp('b', 'host: nas.lan, path: /backups'),
      ),
    ).toEqual([expect.objectContaining({ path: 'storages.b.path' })]);
    expect(
      await problemsWith(
        sftp('a', 'host: nas.lan, path: /backups') + sftp('b', 'host: nas.lan, port: 2222, path: /backups'),
      ),
    ).toEqual([]);
    // A relative path is below each user's home folder: other users, other places.
    expect(
      await problemsWith(
        sftp('a', 'host: nas.lan, path: backups') +
          sftp('b', 'host: nas.lan, path: backups').replace('user: u', 'user: v'),
      ),
    ).toEqual([]);
    expect(
      await problemsWith(
        sftp('a', 'host: nas.lan, path: backups') + sftp('b', 'host: nas.lan, path: ./backups/'),
      ),
    ).toEqual([expect.objectContaining({ path: 'storages.b.path' })]);
    const rclone = (name: string, remote: string): string =>
      `  ${name}: { type: rclone, remote: "${remote}" }\n`;
    expect(await problemsWith(rclone('a', 'gdrive:backups') + rclone('b', 'gdrive:backups/db'))).toEqual([
      expect.objectContaining({ path: 'storages.b.remote' }),
    ]);
    expect(await problemsWith(rclone('a', 'gdrive:backups') + rclone('b', 'onedrive:backups'))).toEqual([]);
  });
});
