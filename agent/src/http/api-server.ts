import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  ServerResponse,
  type IncomingMessage,
  type Server,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { ServerConfig } from '@port-yard/shared';
import { PortYardError, isPortYardError } from '@port-yard/shared';
import type { ApiContext, ApiServices } from '../api/api-context.ts';
import { appRouter } from '../api/app-router.ts';
import { createStreamLimits } from '../api/stream-slots.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Identity } from '../auth/identity.ts';
import { SignInBusy } from '../auth/hash-checks.ts';
import { readCredentials } from '../auth/request-credentials.ts';
import type { Logger } from '../platform/logger.ts';
import { hostChecker, hostRefusal } from './host-check.ts';
import { applyCors, originAllowed } from './origin.ts';
import { createRequestIdentifier } from './request-identity.ts';
import { sendError } from './respond.ts';
import { TooManyAttempts, type SignInLimit } from './sign-in-limit.ts';
import { sendRefusal, signInRefusal } from './sign-in-refusal.ts';

/** A plain HTTP route beside tRPC: gets the caller's identity (undefined: not signed in). */
export type Route = (
  request: IncomingMessage,
  response: ServerResponse,
  identity: Identity | undefined,
) => Promise<void> | void;

export interface RouteEntry {
  readonly method: string;
  readonly path: string;
  /** `path` is a prefix (`/api/artifacts/`), not the whole path. */
  readonly prefix?: boolean;
  /** Answers whatever host name it is reached by (the probes: Kubernetes, Prometheus by service name). */
  readonly anyHost?: boolean;
  /** Answers while the agent is still starting (liveness); every other route waits for `started`. */
  readonly beforeStart?: boolean;
  readonly handle: Route;
}

/**
 * The request's URL; undefined for a request line Node's parser takes but no URL parser does
 * (`GET //[ HTTP/1.1`): answered 400, where `new URL` threw and ended the agent.
 */
function urlOf(request: IncomingMessage): URL | undefined {
  return URL.parse(request.url ?? '/', 'http://agent') ?? undefined;
}

/**
 * The most procedure calls one HTTP request or WebSocket message may batch (the console sends
 * one at a time): one signed-in request must not make the agent run thousands of calls.
 */
const maxCallsPerBatch = 50;

export interface ApiServerOptions {
  readonly server: ServerConfig;
  readonly services: ApiServices;
  readonly authenticator: Authenticator;
  readonly log: Logger;
  /** Exact paths (`POST /api/auth/login`) and prefixes (`GET /api/artifacts/`), first match wins. */
  readonly routes: readonly RouteEntry[];
  /** Everything else that is a GET: the web console. */
  readonly fallback: Route;
  /**
   * Settles once the agent has started (its catalog read, its schedules set). `serve` takes the
   * port before that, so that a second agent on the same port fails before it backs anything up.
   * Until then the routes and WebSocket upgrades wait (but `beforeStart` ones and the console's
   * files): their answers would come from an empty catalog.
   */
  readonly started?: Promise<unknown>;
  /** Password and token attempts, counted with the login form's (auth-routes.ts). */
  readonly signInLimit: SignInLimit;
}

export interface ApiServer {
  readonly server: Server;
  listen(): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * One port for everything: tRPC over HTTP and WebSocket at /api/trpc, plain routes (auth,
 * downloads, health, metrics), the web console. Every request but the probes must name a known
 * host (host-check.ts: DNS rebinding). Browser requests that change state must come from an
 * allowed origin; WebSocket upgrades too.
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const { server: config, authenticator, services } = options;
  const allowed = config.allowedOrigins;
  const knownHost = hostChecker({ allowedHosts: config.allowedHosts, publicUrl: config.publicUrl });
  // A bearer token is checked strictly (a wrong one is refused, never anonymous) and a rebound
  // page cannot know one: the desktop app and scripts may reach the agent by any name.
  // Only a token that is read as one (and then checked) passes: not any header that looks like it.
  const hostPasses = (request: IncomingMessage): boolean =>
    readCredentials(request).bearer !== undefined || knownHost(request.headers.host);
  const refuse = (response: ServerResponse, message: string): void =>
    void response
      .writeHead(403, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: { code: 'AUTH_FAILED', message } }));

  const identify = createRequestIdentifier({ authenticator, signInLimit: options.signInLimit });
  // A WebSocket, or a subscription over HTTP (server-sent events), is signed in once, when it
  // opens, and may stay open for days: one opened with a sign-in session must not outlive it.
  // Its calls see no identity once the session ended (logout, expiry), and the sweep below
  // closes it, which ends its subscriptions.
  const watched = new Map<WebSocket | ServerResponse, () => boolean>();
  const streamLimits = createStreamLimits();
  let sweep: NodeJS.Timeout | undefined;
  const endOf = (holder: WebSocket | ServerResponse): void =>
    void (holder instanceof WebSocket
      ? holder.close(4401, 'the sign-in session ended: sign in again')
      : holder.destroy());
  const watchSession = (holder: WebSocket | ServerResponse, holds: () => boolean): void => {
    watched.set(holder, holds);
    holder.once('close', () => {
      watched.delete(holder);
      if (watched.size > 0) return;
      clearInterval(sweep);
      sweep = undefined;
    });
    sweep ??= setInterval(() => {
      for (const [open, stillHolds] of watched) if (!stillHolds()) endOf(open);
    }, 1000).unref();
  };
  const createContext = async ({
    req,
    res,
  }: {
    req: IncomingMessage;
    res?: unknown;
  }): Promise<ApiContext> => {
    let identity: Identity | undefined;
    try {
      identity = await identify(req);
    } catch (error) {
      const code = signInRefusal(error)?.trpcCode ?? 'UNAUTHORIZED';
      throw new TRPCError({ code, message: (error as Error).message, cause: error });
    }
    // Shared per user or token; anonymous callers (everyone, in auth mode none) per address.
    const streams = streamLimits.forConnection(
      identity && identity.kind !== 'anonymous'
        ? `${identity.kind}:${identity.name}`
        : `address:${req.socket.remoteAddress ?? ''}`,
    );
    if (identity?.via !== 'session')
      return { services, identity, address: req.socket.remoteAddress, streams };
    const credentials = readCredentials(req);
    const holds = (): boolean => authenticator.sessionHolds(credentials);
    if (res instanceof WebSocket || res instanceof ServerResponse) watchSession(res, holds);
    return {
      services,
      address: req.socket.remoteAddress,
      streams,
      get identity() {
        return holds() ? identity : undefined;
      },
    };
  };

  const trpc = createHTTPHandler({
    router: appRouter,
    createContext,
    basePath: '/api/trpc/',
    maxBodySize: 1 << 20,
    maxBatchSize: maxCallsPerBatch,
    // tRPC sets its own Vary header, replacing the one applyCors set: add Origin back (CORS answers differ by it).
    // No cache keeps an answer (a config, runs, a plan) for the next user of a shared browser;
    // a refused sign-in says when to try again, as on the plain routes.
    responseMeta: ({ errors }) => {
      const headers = new Headers([
        ['vary', 'Origin'],
        ['cache-control', 'no-store'],
      ]);
      const refusal = errors.map((error) => signInRefusal(error.cause)).find(Boolean);
      if (refusal) headers.set('retry-after', refusal.retryAfter);
      return { headers };
    },
  });

  /** Waits for the agent's start; its failure is the log's to tell, not an anonymous caller's. */
  const startedOrFailed = async (): Promise<void> => {
    await options.started?.catch(() => {
      throw new PortYardError('INTERNAL', "the agent failed to start: the agent's log says why");
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = urlOf(request);
    if (!url) {
      response
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'INVALID_INPUT', message: 'the request URL is malformed' } }));
      return;
    }
    const route = options.routes.find(
      (candidate) =>
        candidate.method === request.method &&
        (candidate.prefix ? url.pathname.startsWith(candidate.path) : url.pathname === candidate.path),
    );
    if (!route?.anyHost && !hostPasses(request))
      return refuse(response, hostRefusal(request.headers.host ?? ''));
    if (applyCors(request, response, allowed)) return;
    const changesState = request.method !== 'GET' && request.method !== 'HEAD';
    if (changesState && !originAllowed(request, allowed, config.publicUrl))
      return refuse(response, `origin ${request.headers.origin} is not allowed`);
    if (route ? !route.beforeStart : url.pathname.startsWith('/api/')) await startedOrFailed();
    if (url.pathname.startsWith('/api/trpc/')) return trpc(request, response);
    if (
      !route &&
      (url.pathname.startsWith('/api/') || (request.method !== 'GET' && request.method !== 'HEAD'))
    ) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { code: 'NOT_FOUND', message: `no route ${request.method} ${url.pathname}` },
        }),
      );
      return;
    }
    let identity: Identity | undefined;
    try {
      identity = await identify(request);
    } catch (error) {
      if (error instanceof TooManyAttempts || error instanceof SignInBusy) sendRefusal(response, error);
      else sendError(response, error);
      return;
    }
    await (route ? route.handle(request, response, identity) : options.fallback(request, response, identity));
  };

  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response).catch((error: unknown) => {
      // The path without its query: an OIDC callback's one-time code must not reach the log.
      if (!isPortYardError(error))
        options.log.error('request failed', {
          path: urlOf(request)?.pathname,
          message: (error as Error).message,
        });
      sendError(response, error);
    });
  };
  const server = config.tls
    ? createHttpsServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, listener)
    : createHttpServer(listener);

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const wssHandler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext,
    maxBatchSize: maxCallsPerBatch,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
  });
  server.on('upgrade', (request, socket, head) => {
    // Node's server stops listening for the socket's errors once it emits 'upgrade', and ws
    // listens only from handleUpgrade on: a client that resets before (while a refusal is
    // written, or while the agent starts) must not crash the agent.
    const drop = (): void => void socket.destroy();
    socket.on('error', drop);
    const path = urlOf(request)?.pathname;
    if (path === undefined) {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    if (path !== '/api/trpc' && path !== '/api/trpc/') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    if (!hostPasses(request) || !originAllowed(request, allowed, config.publicUrl)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upgrade = (): void => {
      socket.off('error', drop);
      if (socket.destroyed) return;
      wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request));
    };
    if (!options.started) return upgrade();
    options.started.then(upgrade, drop); // the agent failed to start: `serve` closes the server too
  });

  return {
    server,
    listen: () =>
      new Promise((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolveListen(server.address() as AddressInfo));
      }),
    async close() {
      clearInterval(sweep);
      wssHandler.broadcastReconnectNotification();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections?.();
    },
  };
}
