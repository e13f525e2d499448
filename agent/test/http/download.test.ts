import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '@port-yard/shared';
import type { RunningApi } from '../../src/http/start-api.ts';
import { createFilesystemStorage } from '../../src/storage/filesystem-storage.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';
import { localMariadb } from '../harness/temp-agent.ts';
import { waitFor } from '../harness/wait-for.ts';
import { fetchBytes, putArtifact, rawGet, sha256, startDownloadAgent } from './download-fixture.ts';

/**
 * GET /api/artifacts/<id>/download against a real agent API on a real filesystem storage:
 * whole and partial downloads, resume, validators, names, traversal attempts, on-the-fly
 * decompression of a real MariaDB backup, damage detection, and the audit trail.
 */
const db = uniqueName('py_t_download');
let dir: string;
let agent: Awaited<ReturnType<typeof startDownloadAgent>> | undefined;
let api: RunningApi;
let big: { data: Buffer; manifest: Manifest };
let sql: { text: string; manifest: Manifest };
let gzipped: Manifest;
let encrypted: Manifest;
let unicode: Manifest;
let damaged: Manifest;
let truncated: Manifest;

const url = (id: string, query = ''): string => `${api.url}/api/artifacts/${id}/download${query}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-download-'));
  const local = createFilesystemStorage({ name: 'local', root: join(dir, 'local') });
  const second = createFilesystemStorage({ name: 'second', root: join(dir, 'second') });
  const data = randomBytes(3 * 1024 * 1024 + 17);
  big = { data, manifest: await putArtifact([local, second], data) };
  const text = '-- a dump\nCREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n';
  sql = { text, manifest: await putArtifact([local], zstdCompressSync(Buffer.from(text))) };
  gzipped = await putArtifact(
    [local],
    gzipSync(Buffer.from(text)),
    {
      compression: { algorithm: 'gzip', level: 6 },
    },
    'sql.gz',
  );
  encrypted = await putArtifact(
    [local],
    randomBytes(200),
    {
      target: 'vault',
      encryption: { algorithm: 'age', recipients: [`age1${'q'.repeat(58)}`] },
    },
    'sql.zst.age',
  );
  unicode = await putArtifact([local], Buffer.from('x'), { database: 'kundenstämme' });
  damaged = await putArtifact([local], Buffer.from('the original bytes'));
  await writeFile(join(dir, 'local', 'shop', 'sales', damaged.dataObject), 'THE ORIGINAL BYTES');
  truncated = await putArtifact([local], Buffer.from('0123456789'));

  await mariadbExec(
    `CREATE DATABASE ${db}; CREATE TABLE ${db}.notes (id INT PRIMARY KEY, body TEXT); INSERT INTO ${db}.notes VALUES (1, 'hello from port-yard');`,
  );
  agent = await startDownloadAgent({
    storages: {
      local: { type: 'filesystem', path: join(dir, 'local') },
      second: { type: 'filesystem', path: join(dir, 'second') },
    },
    targets: { maria: { ...localMariadb, databases: [db] } },
  });
  api = agent.api;
  // Cut short after the catalog was read (a scan would have left it out): caught before any byte.
  await writeFile(join(dir, 'local', 'shop', 'sales', truncated.dataObject), '01234');
});

afterAll(async () => {
  await agent?.close();
  await mariadbExec(`DROP DATABASE IF EXISTS ${db}`);
  await rm(dir, { recursive: true, force: true });
});

describe('artifact downloads', () => {
  it('serves the whole artifact with its length, type, name and sha256 ETag', async () => {
    const { manifest, data } = big;
    const response = await fetchBytes(url(manifest.artifactId));
    expect(response.status).toBe(200);
    expect(sha256(response.body)).toBe(manifest.sha256);
    expect(response.headers.get('content-length')).toBe(String(data.length));
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('etag')).toBe(`"${manifest.sha256}"`);
    expect(response.headers.get('content-type')).toBe('application/zstd');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="shop_sales_${manifest.artifactId}.sql.zst"`,
    );
    const gz = await fetchBytes(url(gzipped.artifactId));
    expect(gz.headers.get('content-type')).toBe('application/gzip');
  });

  it('serves byte ranges: first byte, middle, suffix, open-ended; 416 outside', async () => {
    const { manifest, data } = big;
    const size = data.length;
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=1000-1999', 1000, 1999],
      ['bytes=-100', size - 100, size - 1],
      [`bytes=${size - 10}-`, size - 10, size - 1],
      [`bytes=${size - 5}-${size + 1000}`, size - 5, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const response = await fetchBytes(url(manifest.artifactId), { range });
      expect(response.status, range).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(response.headers.get('content-length')).toBe(String(end - start + 1));
      expect(response.body.equals(data.subarray(start, end + 1)), range).toBe(true);
    }
    const outside = await fetchBytes(url(manifest.artifactId), { range: `bytes=${size}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${size}`);
  });

  it('resumes: the first half, then the rest with Range + If-Range, equals the original', async () => {
    const { manifest, data } = big;
    const half = Math.floor(data.length / 2);
    const first = await fetchBytes(url(manifest.artifactId), { range: `bytes=0-${half - 1}` });
    const etag = first.headers.get('etag')!;
    const rest = await fetchBytes(url(manifest.artifactId), { range: `bytes=${half}-`, 'if-range': etag });
    expect(rest.status).toBe(206);
    expect(Buffer.concat([first.body, rest.body]).equals(data)).toBe(true);
    // A copy that changed since (another ETag) gets the whole artifact again.
    const changed = await fetchBytes(url(manifest.artifactId), {
      range: `bytes=${half}-`,
      'if-range': '"old"',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.length).toBe(data.length);
  });

  it('answers If-None-Match with 304 and HEAD without a body', async () => {
    const { manifest } = big;
    const notModified = await fetchBytes(url(manifest.artifactId), {
      'if-none-match': `"${manifest.sha256}"`,
    });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    const head = await fetchBytes(url(manifest.artifactId), {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(big.data.length));
  });

  it('serves the named storage, and says where the artifact is when it is not there', async () => {
    const fromSecond = await fetchBytes(url(big.manifest.artifactId, '?storage=second'));
    expect(sha256(fromSecond.body)).toBe(big.manifest.sha256);
    const elsewhere = await fetchBytes(url(sql.manifest.artifactId, '?storage=second'));
    expect(elsewhere.status).toBe(404);
    expect(JSON.parse(elsewhere.body.toString()).error.message).toContain('it is in: local');
  });

  it('refuses bad ids and traversal with 400 or 404, never a file', async () => {
    const attempts = [
      '/api/artifacts/..%2F..%2Fetc%2Fpasswd/download',
      '/api/artifacts/../x/download',
      '/api/artifacts/..%5C..%5Cwindows/download',
      `/api/artifacts/${big.manifest.artifactId}%00/download`,
      `/api/artifacts/${big.manifest.artifactId}/..%2f..%2fshop/download`,
      '/api/artifacts/not-an-id/download',
    ];
    for (const path of attempts) {
      const response = await rawGet(api.url, path);
      expect([400, 404], path).toContain(response.status);
      expect(JSON.parse(response.body).error.message, path).toBeTruthy();
      expect(response.body).not.toMatch(/root:/);
    }
    expect((await rawGet(api.url, attempts[0]!)).status).toBe(400);
    // Encoded dots are resolved by the URL parser: the path leaves /api/ for the web console page.
    const dots = await rawGet(api.url, '/api/artifacts/%2e%2e/%2e%2e/etc/passwd/download');
    // (The console itself when desktop/dist/web is built, else the agent's placeholder page.)
    expect(dots.body).toMatch(/<h1>Port-Yard agent<\/h1>|<title>Port-Yard<\/title>/);
    const unknown = await fetchBytes(url('2020-01-01T00-00-00Z_aaaaaaaaaa'));
    expect(unknown.status).toBe(404);
  });

  it('names non-ASCII databases safely, with an RFC 5987 filename*', async () => {
    const response = await fetchBytes(url(unicode.artifactId));
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="shop_kundenstamme_${unicode.artifactId}.sql.zst"; filename*=UTF-8''shop_kundenst%C3%A4mme_${unicode.artifactId}.sql.zst`,
    );
  });

  it('decompresses on the fly, without a length and without ranges', async () => {
    for (const manifest of [sql.manifest, gzipped]) {
      const response = await fetchBytes(url(manifest.artifactId, '?decompress=1'));
      expect(response.status).toBe(200);
      expect(response.body.toString()).toBe(sql.text);
      expect(response.headers.get('content-length')).toBeNull();
      expect(response.headers.get('content-disposition')).toContain(`${manifest.artifactId}.sql"`);
    }
    const ranged = await fetchBytes(url(sql.manifest.artifactId, '?decompress=1'), { range: 'bytes=0-1' });
    expect(ranged.status).toBe(400);
    expect((await fetchBytes(url(sql.manifest.artifactId, '?decompress=yes'))).status).toBe(400);
  });

  it('refuses to decompress an encrypted artifact without the identity, but serves it as stored', async () => {
    const refused = await fetchBytes(url(encrypted.artifactId, '?decompress=1'));
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body.toString()).error.message).toMatch(/encrypted with age.*age -d/);
    const stored = await fetchBytes(url(encrypted.artifactId));
    expect(stored.status).toBe(200);
    expect(stored.headers.get('content-type')).toBe('application/octet-stream');
  });

  it('breaks a whole download of damaged bytes off instead of completing it', async () => {
    await expect(fetchBytes(url(damaged.artifactId))).rejects.toThrow();
    // A range cannot be checked against the sha256: it is served.
    expect((await fetchBytes(url(damaged.artifactId), { range: 'bytes=0-2' })).body.toString()).toBe('THE');
    const short = await fetchBytes(url(truncated.artifactId));
    expect(short.status).toBe(500);
    expect(JSON.parse(short.body.toString()).error.code).toBe('INTEGRITY_FAILED');
  });

  it('decompresses a real MariaDB backup to its dump text', async () => {
    const run = agent!.daemon.runNow('maria');
    const done = await waitFor(
      'the backup',
      () => {
        const current = agent!.daemon.registry.get(run.id);
        return current && !['queued', 'running'].includes(current.status) ? current : undefined;
      },
      60_000,
    );
    expect(done.status, done.message).toBe('succeeded');
    const artifactId = done.result!.artifacts[0]!.id;
    const stored = await fetchBytes(url(artifactId));
    expect(sha256(stored.body)).toBe(done.result!.artifacts[0]!.sha256);
    const plain = await fetchBytes(url(artifactId, '?decompress=1'));
    expect(plain.status).toBe(200);
    expect(plain.body.toString()).toContain('CREATE TABLE `notes`');
    expect(plain.body.toString()).toContain('hello from port-yard');
    expect(plain.headers.get('content-disposition')).toBe(
      `attachment; filename="maria_${db}_${artifactId}.sql"`,
    );
  });

  it('audits every download with who, from where, what and which range', () => {
    const entries = api.audit.list({ limit: 1000 }).filter((entry) => entry.action === 'artifact.download');
    const ranged = entries.find((entry) => entry.details?.range === 'bytes=0-0');
    expect(ranged).toMatchObject({
      actor: 'anonymous',
      via: 'none',
      outcome: 'ok',
      target: 'shop',
      artifactId: big.manifest.artifactId,
      details: { storage: 'local', decompress: false },
    });
    expect(ranged!.address).toMatch(/127\.0\.0\.1/);
    expect(entries.find((entry) => entry.details?.storage === 'second')).toBeDefined();
    expect(
      entries.find((entry) => entry.artifactId === damaged.artifactId && entry.outcome === 'failed'),
    ).toMatchObject({
      details: { error: expect.stringContaining('is damaged') },
    });
  });
});
