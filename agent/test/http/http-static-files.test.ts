import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../api/api-harness.ts';
import { rawGet } from './download-fixture.ts';

/** The web console's files: what a malformed or hostile path gets. */
let api: TestApi;
let webRoot: string;

beforeAll(async () => {
  webRoot = await mkdtemp(join(tmpdir(), 'py-test-web-'));
  await mkdir(join(webRoot, 'assets'));
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(webRoot, 'assets', 'app.js'), 'console.log(1)');
  // A file that stats as a file but cannot be read (EIO): a real read error, as an unreadable
  // or vanishing file would give.
  await symlink('/proc/self/mem', join(webRoot, 'broken.js'));
  api = await startTestApi({ server: { webRoot } });
});

afterAll(async () => {
  await api?.close();
  await rm(webRoot, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves files under the web root, and index.html for client-side routes', async () => {
    expect((await rawGet(api.url, '/assets/app.js')).body).toBe('console.log(1)');
    expect((await rawGet(api.url, '/targets/shop')).body).toContain('<title>console</title>');
  });

  it('never serves a file outside the web root', async () => {
    for (const path of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd']) {
      const result = await rawGet(api.url, path);
      expect(result.body).not.toContain('root:');
    }
  });

  it('a malformed percent-encoding is a 400, not a server error in the log', async () => {
    const before = api.log.lines.length;
    const result = await rawGet(api.url, '/%E0%A4%A');
    expect(result.status).toBe(400);
    expect(api.log.lines.slice(before).filter((line) => line.includes('"error"'))).toEqual([]);
  });

  it('a file that cannot be read breaks that response off; the agent keeps serving', async () => {
    const result = await rawGet(api.url, '/broken.js').catch((error: Error) => error);
    expect(result).not.toMatchObject({ status: 200, body: expect.stringContaining('x') });
    expect((await rawGet(api.url, '/assets/app.js')).body).toBe('console.log(1)');
  });
});
