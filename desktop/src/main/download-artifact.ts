import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { isPortYardError, PortYardError, type Manifest } from '@port-yard/shared';
import { agentError, agentRequest, fetchManifest, type AgentTarget } from './agent-http.ts';

export interface DownloadBytes {
  readonly receivedBytes: number;
  readonly totalBytes: number;
}

export interface DownloadRequest {
  readonly agent: AgentTarget;
  readonly artifactId: string;
  /** The file the user picked; bytes go to a `.part` file beside it (partPath) until they pass the check. */
  readonly destination: string;
  /** Let the agent decompress (and decrypt, if it can) on the fly. */
  readonly decompress?: boolean;
  /** Already fetched (to name the file); fetched here otherwise. */
  readonly manifest?: Manifest;
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytes: DownloadBytes) => void;
  /** All bytes are in: the check runs now. */
  readonly onVerifying?: () => void;
}

export interface DownloadResult {
  readonly path: string;
  readonly bytes: number;
  /** Bytes of an earlier `.part` that were kept (0: downloaded from the start). */
  readonly resumedFrom: number;
  /**
   * `sha256`: size and sha256 of the stored bytes checked here against the manifest.
   * `agent-sha256+size`: decompressed by the agent, which hashes the stored bytes while decoding
   * and breaks the response off on a mismatch (so only a cleanly ended response is accepted);
   * checked here: the decoded size equals the manifest's `rawBytes`.
   */
  readonly checked: 'sha256' | 'agent-sha256+size';
}

/**
 * Where the bytes go until they pass the check: named after the artifact's sha256, so that a
 * partial file of another artifact saved under the same name, or a user's own `<name>.part`, is
 * never resumed from, appended to or deleted.
 */
export const partPath = (destination: string, manifest: Pick<Manifest, 'sha256'>): string =>
  `${destination}.${manifest.sha256.slice(0, 16)}.part`;
const downloadPath = (artifactId: string): string =>
  `/api/artifacts/${encodeURIComponent(artifactId)}/download`;

/**
 * Streams one artifact from an agent to `destination`: into its `.part` file (partPath; resumed with
 * `Range` + `If-Range: "<sha256>"` when a partial file exists), checked, then renamed. A failed
 * check deletes the partial file; a broken connection keeps it for the next attempt; a cancel
 * (the signal) deletes it. The final name exists only for checked bytes.
 */
export async function downloadArtifact(request: DownloadRequest): Promise<DownloadResult> {
  const { agent, artifactId, destination, signal } = request;
  let part: string | undefined;
  try {
    const manifest = request.manifest ?? (await fetchManifest(agent, artifactId, signal));
    part = partPath(destination, manifest);
    const result = request.decompress
      ? await fetchDecoded(request, manifest, part)
      : await fetchStored(request, manifest, part);
    signal?.throwIfAborted();
    await rename(part, destination);
    return result;
  } catch (error) {
    if (!signal?.aborted) throw error;
    if (part !== undefined) await rm(part, { force: true });
    throw new PortYardError('CANCELLED', `the download of ${artifactId} was cancelled`, { cause: error });
  }
}

async function fetchStored(
  request: DownloadRequest,
  manifest: Manifest,
  part: string,
): Promise<DownloadResult> {
  const { agent, artifactId, signal } = request;
  const total = manifest.storedBytes;
  let offset = await sizeOf(part);
  if (offset > total) {
    await rm(part, { force: true });
    offset = 0;
  }
  let hash = createHash('sha256');
  if (offset > 0) await hashFile(part, hash, signal);
  let received = offset;
  if (offset < total) {
    const headers: Record<string, string> =
      offset > 0 ? { range: `bytes=${offset}-`, 'if-range': `"${manifest.sha256}"` } : {};
    const response = await agentRequest(agent, downloadPath(artifactId), { headers, signal }).catch(
      (error: unknown) => {
        throw brokenOff(artifactId, offset, total, 'start again to resume', error);
      },
    );
    if (response.status === 206) checkContentRange(response, offset, total);
    else if (response.status !== 200) throw await agentError(agent, response, `downloading ${artifactId}`);
    else if (offset > 0) {
      // The agent sent everything (its validator no longer matched): start over.
      offset = 0;
      hash = createHash('sha256');
    }
    received = offset;
    request.onProgress?.({ receivedBytes: received, totalBytes: total });
    const sink = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w', flush: true });
    await pipeline(
      bodyOf(response),
      counting((chunk) => {
        received += chunk.length;
        if (received > total) throw tooMuch(artifactId, total);
        hash.update(chunk);
        request.onProgress?.({ receivedBytes: received, totalBytes: total });
      }),
      sink,
      { signal },
    ).catch(async (error: unknown) => {
      if (isPortYardError(error) && error.code === 'INTEGRITY_FAILED') {
        await rm(part, { force: true });
        throw error;
      }
      throw brokenOff(artifactId, received, total, 'the partial file is kept: start again to resume', error);
    });
  }
  request.onVerifying?.();
  const digest = hash.digest('hex');
  if (received !== total || digest !== manifest.sha256) {
    await rm(part, { force: true });
    throw new PortYardError(
      'INTEGRITY_FAILED',
      `artifact ${artifactId} failed its check: received ${received} bytes with sha256 ${digest}, the manifest says ${total} bytes with ${manifest.sha256}; the partial file was deleted`,
    );
  }
  return { path: request.destination, bytes: received, resumedFrom: offset, checked: 'sha256' };
}

async function fetchDecoded(
  request: DownloadRequest,
  manifest: Manifest,
  part: string,
): Promise<DownloadResult> {
  const { agent, artifactId, signal } = request;
  // Decoded bytes cannot be resumed (the agent refuses a Range with decompress=1).
  await rm(part, { force: true });
  const total = manifest.rawBytes;
  let received = 0;
  const failed = async (error: unknown): Promise<never> => {
    if (!signal?.aborted) await rm(part, { force: true });
    throw brokenOff(
      artifactId,
      received,
      total,
      'the agent breaks a decompressed download off when the stored bytes fail their sha256 check, or the connection failed; the partial file was deleted',
      error,
    );
  };
  const response = await agentRequest(agent, `${downloadPath(artifactId)}?decompress=1`, { signal }).catch(
    failed,
  );
  if (response.status !== 200)
    throw await agentError(agent, response, `downloading ${artifactId} decompressed`);
  request.onProgress?.({ receivedBytes: 0, totalBytes: total });
  await pipeline(
    bodyOf(response),
    counting((chunk) => {
      received += chunk.length;
      if (received > total) throw tooMuch(artifactId, total);
      request.onProgress?.({ receivedBytes: received, totalBytes: total });
    }),
    createWriteStream(part, { flags: 'w', flush: true }),
    { signal },
  ).catch(failed);
  request.onVerifying?.();
  if (received !== total) {
    await rm(part, { force: true });
    throw new PortYardError(
      'INTEGRITY_FAILED',
      `artifact ${artifactId} failed its check: decompressed to ${received} bytes, the manifest says the dump was ${total} bytes; the partial file was deleted`,
    );
  }
  return { path: request.destination, bytes: received, resumedFrom: 0, checked: 'agent-sha256+size' };
}

function checkContentRange(response: Response, offset: number, total: number): void {
  const range = response.headers.get('content-range') ?? '';
  if (range !== `bytes ${offset}-${total - 1}/${total}`)
    throw new PortYardError(
      'CONNECTION_FAILED',
      `the agent answered a resume from byte ${offset} with "${range}", not bytes ${offset}-${total - 1}/${total}`,
    );
}

/** A connection that failed mid-download, said with how far it got and what happens next. */
function brokenOff(
  artifactId: string,
  received: number,
  total: number,
  note: string,
  error: unknown,
): unknown {
  if (error instanceof PortYardError && error.code !== 'CONNECTION_FAILED') return error;
  if ((error as Error).name === 'AbortError') return error;
  const cause =
    error instanceof PortYardError
      ? error.message
      : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
  return new PortYardError(
    'CONNECTION_FAILED',
    `the download of ${artifactId} broke off after ${received} of ${total} bytes (${cause}); ${note}`,
    { cause: error },
  );
}

/** Passes chunks on unchanged, telling `seen` about each. */
/** More bytes than the manifest says: an agent (or a proxy) that does not stop must not fill the disk. */
function tooMuch(artifactId: string, total: number): PortYardError {
  return new PortYardError(
    'INTEGRITY_FAILED',
    `artifact ${artifactId} sent more than the ${total} bytes its manifest says: stopped, and the partial file deleted`,
  );
}

function counting(seen: (chunk: Buffer) => void) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      seen(chunk);
      yield chunk;
    }
  };
}

function bodyOf(response: Response): Readable {
  return response.body ? Readable.fromWeb(response.body as NodeWebStream<Uint8Array>) : Readable.from([]);
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? info.size : 0;
}

async function hashFile(path: string, hash: Hash, signal: AbortSignal | undefined): Promise<void> {
  await pipeline(
    createReadStream(path),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done();
      },
    }),
    { signal },
  );
}
