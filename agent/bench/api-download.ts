import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { newArtifactId } from '../src/artifacts/artifact-keys.ts';
import { createFilesystemStorage } from '../src/storage/filesystem-storage.ts';
import { apiBenchConfig, apiStorageName, benchManifest, startBenchAgent } from './api-agent.ts';
import { countingSink, curlDownload, hasCurl, mbPerS, timedGet } from './api-http.ts';
import { waitForQuiet } from './proc-sampler.ts';

/**
 * Download throughput: one artifact of `--download-mb` MB (a 1 MiB random block repeated: cheap
 * to make, incompressible enough) in a filesystem storage behind a real agent API on loopback.
 * Each round measures, in this order, after a warm-up of each:
 *   disk   fs.createReadStream of the data file into a counting sink (page cache warm)
 *   http   GET /api/artifacts/<id>/download with node's http client, same process as the agent
 *          (whole downloads: the agent checks size and sha256 on the way out)
 *   range  the same with `Range: bytes=<half>-` (no sha256 check: ranges cannot be verified)
 *   curl   curl -s -o /dev/null, a separate process: the agent's event loop serves alone
 */
export interface DownloadResult {
  readonly bytes: number;
  readonly rounds: number;
  /** Writing the artifact (hashing on the way, fsync) through the storage's put, in s. */
  readonly generateS: number;
  readonly diskMbPerS: readonly number[];
  readonly httpMbPerS: readonly number[];
  readonly rangeMbPerS: readonly number[];
  /** Undefined when curl is not installed. */
  readonly curlMbPerS: readonly number[] | undefined;
  /** Downloads with a wrong status, length, ETag or byte count. */
  readonly problems: readonly string[];
}

const block = 1024 * 1024;
const target = 'bench';
const database = 'download';

export async function measureDownload(
  sizeMb: number,
  dir: string,
  rounds: number,
  log: (line: string) => void,
): Promise<DownloadResult> {
  const root = join(dir, 'storage');
  const storage = createFilesystemStorage({ name: apiStorageName, root });
  const bytes = Math.round(sizeMb * 1e6);
  const startedAt = new Date();
  const artifactId = newArtifactId(startedAt);

  const generating = performance.now();
  const random = randomBytes(block);
  const hash = createHash('sha256');
  async function* content(): AsyncGenerator<Buffer> {
    for (let offset = 0; offset < bytes; offset += block) {
      const chunk = random.subarray(0, Math.min(block, bytes - offset));
      hash.update(chunk);
      yield chunk;
    }
  }
  const manifest = benchManifest({
    artifactId,
    target,
    database,
    startedAt,
    storedBytes: bytes,
    sha256: '0'.repeat(64),
  });
  await storage.put(`${target}/${database}/${manifest.dataObject}`, Readable.from(content()));
  const sha256 = hash.digest('hex');
  await storage.put(
    `${target}/${database}/${artifactId}.manifest.json`,
    Readable.from([Buffer.from(JSON.stringify({ ...manifest, sha256 }))]),
  );
  const generateS = (performance.now() - generating) / 1000;
  log(`api: wrote a ${(bytes / 1e6).toFixed(0)} MB artifact in ${generateS.toFixed(1)} s`);

  const agent = await startBenchAgent(apiBenchConfig(root));
  const client = new Agent({ keepAlive: true });
  try {
    if (!agent.daemon.agent().catalog.get(artifactId)) throw new Error(`the catalog lacks ${artifactId}`);
    const path = join(root, target, database, manifest.dataObject);
    const url = `${agent.api.url}/api/artifacts/${artifactId}/download`;
    const half = Math.floor(bytes / 2);
    const problems: string[] = [];
    const expect = (what: string, ok: boolean, detail: string): void => {
      if (!ok) problems.push(`${what}: ${detail}`);
    };

    const disk = async (): Promise<number> => {
      const counter = countingSink();
      const started = performance.now();
      await pipeline(createReadStream(path), counter.sink);
      const ms = performance.now() - started;
      expect('disk read', counter.bytes() === bytes, `${counter.bytes()} bytes, expected ${bytes}`);
      return mbPerS(bytes, ms);
    };
    const whole = async (): Promise<number> => {
      const got = await timedGet(url, { agent: client });
      expect('GET', got.status === 200, `status ${got.status}`);
      expect('GET', got.headers.etag === `"${sha256}"`, `ETag ${got.headers.etag}, expected the sha256`);
      expect('GET', got.bytes === bytes, `${got.bytes} bytes, expected ${bytes}`);
      return mbPerS(got.bytes, got.ms);
    };
    const range = async (): Promise<number> => {
      const got = await timedGet(url, { agent: client, headers: { range: `bytes=${half}-` } });
      const contentRange = `bytes ${half}-${bytes - 1}/${bytes}`;
      expect('GET Range', got.status === 206, `status ${got.status}`);
      expect('GET Range', got.headers['content-range'] === contentRange, `${got.headers['content-range']}`);
      expect('GET Range', got.bytes === bytes - half, `${got.bytes} bytes, expected ${bytes - half}`);
      return mbPerS(got.bytes, got.ms);
    };
    const curlPresent = await hasCurl();
    const curl = async (): Promise<number> => {
      const got = await curlDownload(url);
      expect('curl', got.status === 200, `status ${got.status}`);
      expect('curl', got.bytes === bytes, `${got.bytes} bytes, expected ${bytes}`);
      return got.bytesPerS / 1e6;
    };

    // Warm-up: the page cache, the JIT, the keep-alive connection.
    await disk();
    await whole();
    await range();
    const result = {
      disk: [] as number[],
      http: [] as number[],
      range: [] as number[],
      curl: [] as number[],
    };
    for (let round = 0; round < rounds; round++) {
      await waitForQuiet();
      result.disk.push(await disk());
      await waitForQuiet();
      result.http.push(await whole());
      await waitForQuiet();
      result.range.push(await range());
      if (curlPresent) {
        await waitForQuiet();
        result.curl.push(await curl());
      }
      log(
        `api: download round ${round + 1}/${rounds}: disk ${result.disk.at(-1)!.toFixed(0)} MB/s, ` +
          `http ${result.http.at(-1)!.toFixed(0)} MB/s, range ${result.range.at(-1)!.toFixed(0)} MB/s` +
          (curlPresent ? `, curl ${result.curl.at(-1)!.toFixed(0)} MB/s` : ''),
      );
    }
    return {
      bytes,
      rounds,
      generateS,
      diskMbPerS: result.disk,
      httpMbPerS: result.http,
      rangeMbPerS: result.range,
      curlMbPerS: curlPresent ? result.curl : undefined,
      problems: [...new Set(problems)],
    };
  } finally {
    client.destroy();
    await agent.close();
  }
}
