import { access, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../test/harness/cli-process.ts';
import { isOperation, useFaultProxies } from '../../test/s3/fault-proxy.ts';
import { useS3rver, type RunningS3rver } from '../../test/s3/s3rver.ts';

/**
 * `config check --storages` against a real filesystem folder and a real S3 server (s3rver), and
 * that S3 server behind a proxy that refuses deletes, as a bucket policy without DeleteObject does.
 */
const s3rver = useS3rver();
const proxies = useFaultProxies();
let s3: RunningS3rver;
let dir: string;

beforeAll(async () => {
  s3 = await s3rver();
  dir = await mkdtemp(join(tmpdir(), 'py-test-check-cli-'));
  await mkdir(join(dir, 'backups'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function check(
  endpoint: string,
  folder = join(dir, 'backups'),
  local: Record<string, unknown> = {},
): Promise<Awaited<ReturnType<typeof runCli>>> {
  const file = join(dir, `port-yard-${Math.random().toString(36).slice(2)}.yaml`);
  const s3Storage = {
    type: 's3',
    bucket: s3.bucket,
    prefix: 'check/',
    endpoint,
    forcePathStyle: true,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  };
  await writeFile(
    file,
    stringify({
      version: 1,
      storages: { local: { type: 'filesystem', path: folder, ...local }, offsite: s3Storage },
    }),
  );
  return runCli(['--config', file, 'config', 'check', '--storages']);
}

describe('config check --storages', () => {
  it('writes, lists, reads back and deletes a probe in every storage: exit 0, nothing left', async () => {
    const result = await check(s3.endpoint);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^storage local \(.*backups\): ok: wrote, listed, read back and deleted a probe in \d+ ms$/m,
    );
    expect(result.stderr).toMatch(
      /^storage offsite \(.*\): ok: wrote, listed, read back and deleted a probe/m,
    );
    expect(result.stderr).not.toContain(s3.secretAccessKey);
    expect(await readdir(join(dir, 'backups'))).toEqual([]);
  });

  it('fails (exit 1) for an S3 storage that refuses deletes, naming what retention then cannot do', async () => {
    const proxy = await proxies(s3.endpoint, [
      {
        match: isOperation('DeleteObject', 'DeleteObjects'),
        fault: { kind: 'status', status: 403, code: 'AccessDenied' },
      },
    ]);
    const result = await check(proxy.endpoint);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^storage local .*: ok: /m);
    expect(result.stderr).toMatch(
      /^storage offsite .*: FAILED: cannot delete \(retention could not delete old backups\): .*remove port-yard-check\/[0-9a-f]{12}\.probe by hand$/m,
    );
  });

  it('fails (exit 1) for a folder that does not exist with createRoot: false (an unmounted share)', async () => {
    const unmounted = join(dir, 'mnt', 'nas', 'backups');
    const result = await check(s3.endpoint, unmounted, { createRoot: false });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`storage local (${unmounted}): FAILED: the folder does not exist`);
    await expect(access(join(dir, 'mnt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  // Run as the README advises, before the first backup, it failed every new deployment.
  it('passes a folder the first backup will create, where it can be created, and creates nothing', async () => {
    const fresh = join(dir, 'var', 'backups');
    const result = await check(s3.endpoint, fresh);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `storage local (${fresh}): ok: the folder does not exist yet; the first backup creates it in ${dir}, which is writable`,
    );
    await expect(access(join(dir, 'var'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
