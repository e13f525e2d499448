import { createHash } from 'node:crypto';
import { readdir, readlink } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { configSchema, type Manifest, type PortYardConfigInput } from '@port-yard/shared';
import { newArtifactId } from '../../src/artifacts/artifact-keys.ts';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.ts';
import { startApi, type RunningApi, type StartApiOptions } from '../../src/http/start-api.ts';
import { silentLogger } from '../../src/platform/logger.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { fakeManifest } from '../harness/fake-artifacts.ts';

/** Helpers for the download tests: artifacts with chosen bytes, raw requests, open files. */

/**
 * A real agent (daemon and API) with `config` (on a free port, anonymous viewers unless it says
 * otherwise). Its hourly retention pass re-reads storage, and the manifests it opens would count
 * as a download's open files (CI once ran a test at :17): it runs once a year here, unless set.
 */
export async function startDownloadAgent(
  config: Omit<PortYardConfigInput, 'version'>,
  options: Pick<StartApiOptions, 'downloadLimits'> = {},
): Promise<{ readonly api: RunningApi; readonly daemon: Daemon; close(): Promise<void> }> {
  const parsed = configSchema.parse({
    version: 1,
    retentionSchedule: '0 0 1 1 *',
    server: { port: 0 },
    auth: { mode: 'none', anonymousRole: 'viewer' },
    ...config,
  });
  const daemon = createDaemon({ config: parsed, log: silentLogger });
  await daemon.start();
  const api = await startApi({
    config: parsed,
    daemon,
    log: silentLogger,
    reloadConfig: async () => parsed,
    ...options,
  }).catch(async (error: unknown) => {
    await daemon.stop(1000);
    throw error;
  });
  return {
    api,
    daemon,
    async close() {
      await api.close();
      await daemon.stop(1000);
    },
  };
}

let clock = Date.parse('2026-03-01T00:00:00Z');

/** Writes `data` as an artifact (data, then manifest) into every storage given. */
export async function putArtifact(
  storages: readonly Storage[],
  data: Buffer,
  overrides: Partial<Manifest> = {},
  extension = 'sql.zst',
): Promise<Manifest> {
  clock += 60_000;
  const artifactId = newArtifactId(new Date(clock));
  const manifest = fakeManifest(artifactId, data, {
    startedAt: new Date(clock).toISOString(),
    finishedAt: new Date(clock + 5000).toISOString(),
    dataObject: `${artifactId}.${extension}`,
    ...overrides,
  });
  const folder = `${manifest.target}/${manifest.database}`;
  for (const storage of storages) {
    await storage.put(`${folder}/${manifest.dataObject}`, Readable.from([data]));
    const json = Buffer.from(JSON.stringify(manifest));
    await storage.put(`${folder}/${artifactId}.manifest.json`, Readable.from([json]));
  }
  return manifest;
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export interface Fetched {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export async function fetchBytes(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Fetched> {
  const response = await fetch(url, { headers, method });
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/**
 * A request with the path exactly as written (fetch would resolve `..` before sending), and any
 * headers, Host included (which fetch does not let one set).
 */
export function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: hostname, port, path, method: 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** Files below `root` this process holds open: a storage read that did not stop shows up here. */
export async function openFilesUnder(root: string): Promise<string[]> {
  const links = await Promise.all(
    (await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
  );
  return links.filter((target) => target.startsWith(root));
}
