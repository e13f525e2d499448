import { execFile } from 'node:child_process';
import type { Agent, IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

/**
 * The HTTP side of the API section: GETs with node's http client into a sink that only counts
 * (or keeps the body, for small JSON answers), curl as an independent client, and percentiles.
 */

/** A Writable that counts bytes and, if asked, keeps them. */
export function countingSink(keep = false): { sink: Writable; bytes: () => number; body: () => Buffer } {
  let bytes = 0;
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (keep) chunks.push(chunk);
      callback();
    },
  });
  return { sink, bytes: () => bytes, body: () => Buffer.concat(chunks) };
}

export interface TimedGet {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Body bytes received. */
  readonly bytes: number;
  /** From sending the request to the last body byte, in ms. */
  readonly ms: number;
  /** The body, when `keepBody` was set. */
  readonly body: Buffer | undefined;
}

/** GET `url` (loopback, plain HTTP), the body into a counting sink. */
export function timedGet(
  url: string,
  options: { agent: Agent; headers?: Record<string, string>; keepBody?: boolean },
): Promise<TimedGet> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const outgoing = request(url, { agent: options.agent, headers: options.headers }, (response) => {
      const counter = countingSink(options.keepBody === true);
      pipeline(response, counter.sink).then(
        () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            bytes: counter.bytes(),
            ms: performance.now() - started,
            body: options.keepBody ? counter.body() : undefined,
          }),
        reject,
      );
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

const execFileAsync = promisify(execFile);

let curlPresent: Promise<boolean> | undefined;
/** Whether `curl` runs here (checked once). */
export function hasCurl(): Promise<boolean> {
  curlPresent ??= execFileAsync('curl', ['--version']).then(
    () => true,
    () => false,
  );
  return curlPresent;
}

/** `curl -s -o /dev/null -w '%{speed_download}'`: curl's own average speed (bytes/s), size, status. */
export async function curlDownload(
  url: string,
): Promise<{ bytesPerS: number; bytes: number; status: number }> {
  const { stdout } = await execFileAsync('curl', [
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{speed_download} %{size_download} %{http_code}',
    url,
  ]);
  const [speed, size, status] = stdout.trim().split(' ').map(Number);
  return { bytesPerS: speed ?? Number.NaN, bytes: size ?? Number.NaN, status: status ?? 0 };
}

export interface LatencyStats {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly minMs: number;
}

/** Nearest-rank percentiles of `samples` (ms). */
export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    p50Ms: rank(0.5),
    p95Ms: rank(0.95),
    maxMs: sorted.at(-1)!,
    minMs: sorted[0]!,
  };
}

/** MB (10^6 bytes) per second. */
export const mbPerS = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

/**
 * Counts garbage-collection pauses (PerformanceObserver 'gc' entries) from now until `stop`.
 * Node queues the entries after each collection, so `stop` first lets the event loop turn.
 */
export interface GcPauses {
  readonly ms: number;
  readonly count: number;
  /** Each pause: start (performance.now() time) and duration, in ms. */
  readonly pauses: readonly { readonly start: number; readonly ms: number }[];
}

export function gcMeter(): { stop(): Promise<GcPauses> } {
  const pauses: { start: number; ms: number }[] = [];
  const add = (entries: readonly PerformanceEntry[]): void => {
    for (const entry of entries) pauses.push({ start: entry.startTime, ms: entry.duration });
  };
  const observer = new PerformanceObserver((list) => add(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    async stop() {
      await new Promise((resolve) => setTimeout(resolve, 20));
      add(observer.takeRecords());
      observer.disconnect();
      return { ms: pauses.reduce((sum, pause) => sum + pause.ms, 0), count: pauses.length, pauses };
    },
  };
}
