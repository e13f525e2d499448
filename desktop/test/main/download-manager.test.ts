import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Manifest } from '@port-yard/shared';
import { secrets, startTestApi, type TestApi } from '../../../agent/test/api/api-harness.ts';
import { putArtifact } from '../../../agent/test/http/download-fixture.ts';
import type { DownloadProgress } from '../../src/renderer/shell.ts';
import { createAgentRegistry, type AgentRegistry } from '../../src/main/agent-registry.ts';
import { createDownloadManager, type DownloadManagerDeps } from '../../src/main/download-manager.ts';
import { createKeychain, createMemoryKeytar } from '../../src/main/keychain.ts';

/** The download manager with a registry (memory keychain) and a real agent behind it. */
let api: TestApi;
let dir: string;
let folder: string;
let registry: AgentRegistry;
let agentId: string;
let data: Buffer;
let manifest: Manifest;

beforeAll(async () => {
  api = await startTestApi();
  dir = await mkdtemp(join(tmpdir(), 'py-desktop-manager-'));
  data = randomBytes(2 * 1024 * 1024);
  manifest = await putArtifact([api.daemon.agent().storages.get('local')!], data);
  await api.daemon.agent().catalog.refresh();
  registry = createAgentRegistry({
    file: join(dir, 'agents.json'),
    keychain: createKeychain(createMemoryKeytar()),
  });
  agentId = (await registry.add({ name: 'test', url: api.url, token: secrets.viewerToken })).id;
});

afterAll(async () => {
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  folder = await mkdtemp(join(dir, 'to-'));
});

function manager(overrides: Partial<DownloadManagerDeps> = {}) {
  const events: DownloadProgress[] = [];
  const suggested: string[] = [];
  const downloads = createDownloadManager({
    agents: registry,
    chooseDestination: async (name) => {
      suggested.push(name);
      return join(folder, name);
    },
    onProgress: (progress) => events.push(progress),
    progressIntervalMs: 1e9,
    newId: () => 'd1',
    ...overrides,
  });
  return { downloads, events, suggested };
}

describe('the download manager', () => {
  it('suggests a name, downloads in the background and reports running, verifying, done', async () => {
    const { downloads, events, suggested } = manager();
    const started = await downloads.start({ agentId, artifactId: manifest.artifactId, decompress: false });
    expect(started).toEqual({ downloadId: 'd1' });
    await downloads.finished('d1');
    const name = `shop_sales_${manifest.artifactId}.sql.zst`;
    expect(suggested).toEqual([name]);
    expect((await readFile(join(folder, name))).equals(data)).toBe(true);
    const total = data.length;
    // Progress is throttled (here to nothing between the first and the last).
    expect(events).toEqual([
      { downloadId: 'd1', state: 'running', receivedBytes: 0, totalBytes: total },
      { downloadId: 'd1', state: 'running', receivedBytes: total, totalBytes: total },
      { downloadId: 'd1', state: 'verifying', receivedBytes: total, totalBytes: total },
      { downloadId: 'd1', state: 'done', receivedBytes: total, totalBytes: total, path: join(folder, name) },
    ]);
    expect(downloads.cancel('d1')).toBe(false);
  });

  it('does nothing when the save dialog is cancelled', async () => {
    const { downloads, events } = manager({ chooseDestination: async () => undefined });
    expect(await downloads.start({ agentId, artifactId: manifest.artifactId, decompress: false })).toBeNull();
    expect(events).toEqual([]);
    expect(await readdir(folder)).toEqual([]);
  });

  it('cancels a running download: state cancelled, no file left', async () => {
    let cancel = (): void => undefined;
    const { downloads, events } = manager({
      progressIntervalMs: 0,
      onProgress: (progress) => {
        events.push(progress);
        if (progress.state === 'running' && progress.receivedBytes > 0) cancel();
      },
    });
    cancel = () => void downloads.cancel('d1');
    await downloads.start({ agentId, artifactId: manifest.artifactId, decompress: false });
    await downloads.finished('d1');
    expect(events.at(-1)).toMatchObject({ state: 'cancelled', error: expect.stringContaining('cancelled') });
    expect(await readdir(folder)).toEqual([]);
  });

  it('fails before the dialog for an unknown agent or a refused token', async () => {
    const { downloads, suggested } = manager();
    await expect(
      downloads.start({ agentId: 'nobody', artifactId: manifest.artifactId, decompress: false }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no agent nobody' });
    const wrong = await registry.add({
      name: 'wrong',
      url: `${api.url}/`.replace('127.0.0.1', 'localhost'),
      token: 'pyt_wrong',
    });
    await expect(
      downloads.start({ agentId: wrong.id, artifactId: manifest.artifactId, decompress: false }),
    ).rejects.toMatchObject({ code: 'AUTH_FAILED', message: expect.stringContaining('answered 401') });
    expect(suggested).toEqual([]);
    await registry.remove(wrong.id);
  });

  it('refuses a second download to the same file while the first runs', async () => {
    let id = 0;
    const { downloads } = manager({ newId: () => `d${++id}` });
    await downloads.start({ agentId, artifactId: manifest.artifactId, decompress: false });
    await expect(
      downloads.start({ agentId, artifactId: manifest.artifactId, decompress: false }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await downloads.finished('d1');
  });
});
