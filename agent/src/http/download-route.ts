import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Manifest } from '@port-yard/shared';
import { artifactIdPattern, isPortYardError, PortYardError } from '@port-yard/shared';
import type { AuditLog } from '../audit/audit-log.ts';
import { hasRole, type Identity } from '../auth/identity.ts';
import type { Daemon } from '../daemon/daemon.ts';
import type { Logger } from '../platform/logger.ts';
import type { Route } from './api-server.ts';
import { decoderFor } from './download-decoder.ts';
import { downloadNaming } from './download-filename.ts';
import { locateArtifact, type LocatedArtifact } from './download-locate.ts';
import { ifRangeHolds, noneMatch, parseRange, type RangeRequest } from './download-range.ts';
import { sendDecoded, sendStored } from './download-stream.ts';
import { verifyingPassThrough } from '../artifacts/verifying-pass-through.ts';
import { sendError, sendJson } from './respond.ts';

export const downloadPathPrefix = '/api/artifacts/';
const suffix = '/download';

export interface DownloadRouteDeps {
  readonly daemon: Pick<Daemon, 'agent'>;
  readonly audit: AuditLog;
  readonly log: Logger;
  readonly limits?: Partial<DownloadLimits>;
}

/**
 * What downloads may hold. Each decoded download runs a decoder process (zstd, gzip, age), and
 * each download an open file or storage stream: a client that stops reading, or opens hundreds,
 * must not hold them until the agent runs out of files.
 */
export interface DownloadLimits {
  /** A download whose client took nothing for this long is ended (a stored one can resume). */
  readonly idleMs: number;
  /** Decoded downloads (`decompress=1`) at once, over all clients; more are refused with 503. */
  readonly decoders: number;
}

export const defaultDownloadLimits: DownloadLimits = { idleMs: 5 * 60_000, decoders: 16 };

/**
 * `GET|HEAD /api/artifacts/<id>/download[?storage=<name>][&decompress=1]`: one artifact's bytes
 * for viewers and operators, as stored (ranges, ETag = sha256, resumable) or decoded on the fly
 * (decompressed, decrypted when the agent holds the identity; no length, no ranges). The id is
 * checked against the artifact id pattern before anything else, so no request text ever reaches
 * a storage key: storage keys come from the catalog only.
 */
export function createDownloadRoute(deps: DownloadRouteDeps): Route {
  const limits = { ...defaultDownloadLimits, ...deps.limits };
  let decoding = 0;
  return async (request, response, identity) => {
    const url = new URL(request.url ?? '/', 'http://agent');
    const rawId = url.pathname.endsWith(suffix)
      ? url.pathname.slice(downloadPathPrefix.length, -suffix.length)
      : undefined;
    if (rawId === undefined)
      return fail(response, 404, 'NOT_FOUND', `no route ${request.method} ${url.pathname}`);
    if (!artifactIdPattern.test(rawId))
      return fail(
        response,
        400,
        'INVALID_INPUT',
        'the path does not name an artifact id (YYYY-MM-DDTHH-mm-ssZ_xxxxxxxxxx)',
      );
    const artifactId = rawId;
    const audit = auditOf(deps.audit, request, identity, artifactId);
    if (!hasRole(identity, 'viewer')) {
      audit('denied', {});
      return identity === undefined
        ? fail(response, 401, 'AUTH_FAILED', 'sign in to download artifacts')
        : fail(response, 403, 'AUTH_FAILED', 'downloading artifacts needs the viewer role');
    }
    const decompressParam = url.searchParams.get('decompress');
    if (decompressParam !== null && !['0', '1', 'true', 'false'].includes(decompressParam))
      return fail(response, 400, 'INVALID_INPUT', 'decompress is 1 or 0');
    const decompress = decompressParam === '1' || decompressParam === 'true';
    if (decompress && request.headers.range !== undefined)
      return fail(
        response,
        400,
        'INVALID_INPUT',
        'a Range cannot be combined with decompress=1 (the decoded size is unknown)',
      );

    if (decompress && decoding >= limits.decoders) {
      audit('denied', { decompress, reason: 'busy' });
      return sendJson(
        response,
        503,
        {
          error: {
            code: 'CONFLICT',
            message: `${decoding} decompressed downloads are running, the most at once: retry later, or download the artifact as stored`,
          },
        },
        { 'retry-after': '30' },
      );
    }
    if (decompress) {
      // Taken now, before anything is awaited, so that requests at once cannot pass the limit
      // together; a response closes however it ends.
      decoding += 1;
      response.once('close', () => (decoding -= 1));
    }
    const agent = deps.daemon.agent();
    const entry = agent.catalog.get(artifactId);
    if (!entry) return fail(response, 404, 'NOT_FOUND', `no artifact ${artifactId}`);
    let located: LocatedArtifact;
    let decoder: Awaited<ReturnType<typeof decoderFor>>;
    try {
      located = await locateArtifact(entry, agent.storages, url.searchParams.get('storage') ?? undefined);
      decoder = decompress ? await decoderFor(entry.manifest, agent.config) : undefined;
    } catch (error) {
      return sendError(response, error, statusOf(error));
    }
    const { manifest, storage, dataKey } = located;
    const naming = downloadNaming(manifest, decoder !== undefined);
    const headers: Record<string, string | number> = {
      'content-type': naming.contentType,
      'content-disposition': naming.contentDisposition,
      'cache-control': 'private, no-cache',
      'x-content-type-options': 'nosniff',
      'last-modified': new Date(manifest.finishedAt).toUTCString(),
    };
    let range: RangeRequest = { kind: 'whole' };
    if (decoder === undefined) {
      const etag = `"${manifest.sha256}"`;
      Object.assign(headers, { etag, 'accept-ranges': 'bytes', 'content-length': manifest.storedBytes });
      if (noneMatch(request.headers['if-none-match'], etag)) {
        response.writeHead(304, { etag, 'cache-control': 'private, no-cache' }).end();
        return;
      }
      if (ifRangeHolds(request.headers['if-range'], etag))
        range = parseRange(request.headers.range, manifest.storedBytes);
      if (range.kind === 'unsatisfiable')
        return sendJson(
          response,
          416,
          {
            error: {
              code: 'INVALID_INPUT',
              message: `the range is outside the ${manifest.storedBytes} bytes`,
            },
          },
          { 'content-range': `bytes */${manifest.storedBytes}` },
        );
      if (range.kind === 'part')
        Object.assign(headers, {
          'content-range': `bytes ${range.start}-${range.end}/${manifest.storedBytes}`,
          'content-length': range.end - range.start + 1,
        });
    }
    const status = range.kind === 'part' ? 206 : 200;
    if (request.method === 'HEAD') {
      response.writeHead(status, headers).end();
      return;
    }

    // The client leaving aborts the storage read, even before the first byte; so does a client
    // that takes nothing for `idleMs` (its socket is destroyed).
    const gone = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) gone.abort();
    });
    response.setTimeout(limits.idleMs);
    const details = {
      storage: storage.name,
      range: range.kind === 'part' ? `bytes=${range.start}-${range.end}` : null,
      decompress: decoder !== undefined,
    };
    let source: Readable | undefined;
    try {
      source = await storage.get(dataKey, {
        range: range.kind === 'part' ? { start: range.start, end: range.end } : undefined,
        signal: gone.signal,
      });
      response.writeHead(status, headers);
      if (decoder)
        await sendDecoded({ source, verify: verifyingPassThrough(manifest), codec: decoder(), response });
      else
        await sendStored(
          source,
          response,
          range.kind === 'whole' ? verifyingPassThrough(manifest) : undefined,
        );
      audit('ok', details, manifest);
    } catch (error) {
      // Our own failures (damage, a codec, the medium) destroy the response too: name those.
      const clientLeft = gone.signal.aborted && !(isPortYardError(error) && error.code !== 'CANCELLED');
      const message = clientLeft ? 'the client disconnected' : (error as Error).message;
      source?.destroy();
      audit('failed', { ...details, error: message }, manifest);
      if (!clientLeft) deps.log.warn('download failed', { artifactId, storage: storage.name, message });
      sendError(response, error, statusOf(error));
    }
  };
}

function fail(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { error: { code, message } });
}

/** A broken storage medium is the upstream's fault (502), not the agent's. */
function statusOf(error: unknown): number | undefined {
  return error instanceof PortYardError && error.code === 'STORAGE_FAILED' ? 502 : undefined;
}

function auditOf(
  log: AuditLog,
  request: IncomingMessage,
  identity: Identity | undefined,
  artifactId: string,
) {
  return (outcome: 'ok' | 'denied' | 'failed', details: Record<string, unknown>, manifest?: Manifest): void =>
    log.record({
      action: 'artifact.download',
      actor: identity?.name ?? 'anonymous',
      via: identity?.via ?? 'none',
      address: request.socket.remoteAddress,
      outcome,
      target: manifest?.target,
      artifactId,
      details,
    });
}
