import { Agent, createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach } from 'vitest';
import { s3OperationOf } from './s3-operation.ts';

/** What the proxy does to one request instead of (or while) forwarding it. */
export type Fault =
  /** Read the start of the request, then destroy the connection: the client sees ECONNRESET/EPIPE. */
  | { readonly kind: 'reset' }
  /** Answer with this status and an S3 XML error (`SlowDown`, `InternalError`), not forwarding. */
  | { readonly kind: 'status'; readonly status: number; readonly code: string }
  /** Forward, then hold the response head back this long. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Forward, send the full Content-Length and only `keepBytes` of the body, then cut. */
  | { readonly kind: 'truncate'; readonly keepBytes: number };

export interface ProxiedRequest {
  /** 0-based, in arrival order. */
  readonly index: number;
  readonly method: string;
  readonly url: string;
  /** `UploadPart`, `CompleteMultipartUpload`, ...: see `s3-operation.ts`. */
  readonly operation: string;
  readonly headers: IncomingHttpHeaders;
  /** The fault applied, if any. */
  fault?: Fault['kind'];
}

export interface FaultRule {
  readonly match: (request: ProxiedRequest) => boolean;
  readonly fault: Fault;
  /** Let this many matching requests through first (default 0). */
  readonly skip?: number;
  /** Apply to this many matching requests, then stop (default: all of them). */
  readonly times?: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use as the S3 endpoint, with `forcePathStyle: true`. */
  readonly endpoint: string;
  /** Every request seen, in order. */
  readonly requests: readonly ProxiedRequest[];
  /** Replaces the plan (and the counts of its rules); `requests` is kept. */
  setPlan(rules: readonly FaultRule[]): void;
  /** How many requests of these operations were seen (all when none given). */
  count(...operations: string[]): number;
  stop(): Promise<void>;
}

/** A predicate matching requests of any of these S3 operations. */
export const isOperation =
  (...names: string[]) =>
  (request: ProxiedRequest): boolean =>
    names.includes(request.operation);

/**
 * An HTTP proxy in front of an S3 server (`target`, e.g. s3rver's endpoint) that injects faults
 * per request by a plan of rules (first matching rule wins). Headers pass unchanged, so SigV4
 * signatures made for the proxy's host still verify. `stop()` closes every connection.
 */
export async function startFaultProxy(target: string, plan: readonly FaultRule[] = []): Promise<FaultProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const stopping = new AbortController(); // ends pending delays

  const requests: ProxiedRequest[] = [];
  let rules = plan.map((rule) => ({ rule, seen: 0 }));
  const pick = (request: ProxiedRequest): Fault | undefined => {
    for (const entry of rules) {
      if (!entry.rule.match(request)) continue;
      entry.seen += 1;
      const skip = entry.rule.skip ?? 0;
      const active = entry.seen > skip && entry.seen <= skip + (entry.rule.times ?? Infinity);
      if (active) return entry.rule.fault;
    }
    return undefined;
  };
  const forward = (req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): void => {
    const headers = { ...req.headers };
    delete headers.expect; // the proxy already answered 100-continue to the client
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (answer) => void respond(answer, res, fault, stopping.signal).catch(() => res.socket?.destroy()),
    );
    out.on('error', () => res.socket?.destroy());
    req.pipe(out);
  };
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const operation = s3OperationOf(method, url);
    const request: ProxiedRequest = { index: requests.length, method, url, operation, headers: req.headers };
    requests.push(request);
    const fault = pick(request);
    if (fault !== undefined) request.fault = fault.kind;
    if (fault?.kind === 'reset') return resetAfterStart(req);
    if (fault?.kind === 'status') return void answerError(req, res, fault.status, fault.code);
    forward(req, res, fault);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setPlan(next) {
      rules = next.map((rule) => ({ rule, seen: 0 }));
    },
    count: (...names) => requests.filter((r) => names.length === 0 || names.includes(r.operation)).length,
    async stop() {
      stopping.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

async function respond(
  answer: IncomingMessage,
  res: ServerResponse,
  fault: Fault | undefined,
  stopping: AbortSignal,
): Promise<void> {
  if (fault?.kind === 'delay') await delay(fault.ms, undefined, { signal: stopping });
  if (fault?.kind !== 'truncate') {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of answer) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': String(body.length) });
  res.write(body.subarray(0, Math.min(fault.keepBytes, body.length)), () => res.socket?.destroy());
}

function resetAfterStart(req: IncomingMessage): void {
  const cut = (): void => void req.socket.destroy();
  if (Number(req.headers['content-length'] ?? 0) > 0) req.once('data', cut);
  else cut();
}

async function answerError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
): Promise<void> {
  // Read the whole request first, as S3 does: the client then gets the answer, not a broken pipe.
  for await (const _chunk of req);
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected by the fault proxy</Message><RequestId>fault-proxy</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
  res.end(req.method === 'HEAD' ? undefined : xml);
}

/** Fault proxies for one test file, each stopped after the test that started it. */
export function useFaultProxies(): (target: string, plan?: readonly FaultRule[]) => Promise<FaultProxy> {
  const started: FaultProxy[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((proxy) => proxy.stop()));
  });
  return async (target, plan) => {
    const proxy = await startFaultProxy(target, plan);
    started.push(proxy);
    return proxy;
  };
}
