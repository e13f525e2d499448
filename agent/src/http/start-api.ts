import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PortYardConfig } from '@port-yard/shared';
import { nominalDurationSeconds, parseDuration } from '@port-yard/shared';
import type { ApiServices } from '../api/api-context.ts';
import { createAuditLog, type AuditLog } from '../audit/audit-log.ts';
import { createAuthenticator } from '../auth/authenticator.ts';
import { createHashChecks, hashCheckDefaults, type HashChecks } from '../auth/hash-checks.ts';
import { createLdapLogin } from '../auth/ldap/ldap-login.ts';
import { createOidcClient } from '../auth/oidc/oidc-client.ts';
import { createOidcRoutes } from '../auth/oidc/oidc-routes.ts';
import { createSessions } from '../auth/sessions.ts';
import type { Daemon } from '../daemon/daemon.ts';
import type { Logger } from '../platform/logger.ts';
import { createApiServer, type ApiServer, type RouteEntry } from './api-server.ts';
import { createAuthRoutes, type PasswordLogin } from './auth-routes.ts';
import { createDownloadRoute, downloadPathPrefix, type DownloadLimits } from './download-route.ts';
import { createReadiness } from './health-readiness.ts';
import { createSignInLimit, signInLimitDefaults, type SignInLimitSettings } from './sign-in-limit.ts';
import { readinessRoute } from './health-routes.ts';
import { createAgentMetrics } from './metrics-registry.ts';
import { createStaticFiles } from './static-files.ts';

/** The console bundle built by `npm run build:web`, served when the config names no webRoot. */
const builtWebRoot = fileURLToPath(new URL('../../../desktop/dist/web', import.meta.url));

export interface StartApiOptions {
  readonly config: PortYardConfig;
  readonly daemon: Daemon;
  readonly log: Logger;
  readonly reloadConfig: () => Promise<PortYardConfig>;
  /** Settles once the daemon has started: the API listens before, and waits for it (api-server.ts). */
  readonly started?: Promise<unknown>;
  readonly audit?: AuditLog;
  /** For sessions and sign-in expiry (tests move it forward). */
  readonly clock?: () => number;
  /** Tests make them small. */
  readonly downloadLimits?: Partial<DownloadLimits>;
  /** Sign-in limits and hash check slots other than the defaults (tests make them small). */
  readonly signIn?: {
    readonly limits?: Partial<SignInLimitSettings>;
    readonly hashChecks?: HashChecks;
  };
}

export interface RunningApi extends ApiServer {
  readonly audit: AuditLog;
  readonly url: string;
}

/**
 * Builds the HTTP side of the agent from the config (auth mode, sessions, audit, routes) and
 * starts listening. Auth settings take effect at start: a reload changes targets and storages,
 * not who may sign in (restart the agent for that).
 */
export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { config, log } = options;
  const ttl = parseDuration(config.auth.sessionTtl);
  const { clock } = options;
  const sessions = createSessions(ttl ? nominalDurationSeconds(ttl) * 1000 : 12 * 3_600_000, { clock });
  const hashChecks = options.signIn?.hashChecks ?? createHashChecks(hashCheckDefaults);
  const authenticator = createAuthenticator(config.auth, sessions, { clock, hashChecks });
  const audit = options.audit ?? createAuditLog(log);
  const services: ApiServices = {
    daemon: options.daemon,
    audit,
    startedAt: new Date(),
    reloadConfig: options.reloadConfig,
  };
  const secureCookies = Boolean(config.server.tls) || config.server.publicUrl?.startsWith('https:') === true;
  const { auth: authConfig } = config;
  const passwordLogin: PasswordLogin | undefined =
    authConfig.mode === 'basic'
      ? (user, password, signal) => authenticator.verifyPassword(user, password, signal)
      : authConfig.mode === 'ldap' && authConfig.ldap
        ? createLdapLogin({ auth: { ...authConfig, ldap: authConfig.ldap }, log })
        : undefined;
  const signInLimit = createSignInLimit({ ...signInLimitDefaults, ...options.signIn?.limits, clock });
  const auth = createAuthRoutes({ sessions, audit, passwordLogin, secureCookies, signInLimit });
  const webRoot = config.server.webRoot ?? (existsSync(builtWebRoot) ? builtWebRoot : undefined);
  let starting = options.started !== undefined;
  options.started?.then(
    () => void (starting = false),
    () => undefined,
  );
  const download = createDownloadRoute({
    daemon: options.daemon,
    audit,
    log,
    limits: options.downloadLimits,
  });
  const metrics = createAgentMetrics(options.daemon);
  const routes: RouteEntry[] = [
    { method: 'POST', path: '/api/auth/login', handle: (request, response) => auth.login(request, response) },
    {
      method: 'POST',
      path: '/api/auth/logout',
      handle: (request, response) => auth.logout(request, response),
    },
    {
      method: 'GET',
      path: '/healthz',
      anyHost: true,
      beforeStart: true,
      handle: (_request, response) =>
        void response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'),
    },
    // Unauthenticated on purpose: see health-routes.ts for why that exposes nothing sensitive.
    {
      method: 'GET',
      path: '/readyz',
      anyHost: true,
      beforeStart: true,
      handle: readinessRoute(createReadiness({ daemon: options.daemon }), () => starting),
    },
    { method: 'GET', path: '/metrics', anyHost: true, handle: metrics.route },
    { method: 'GET', path: downloadPathPrefix, prefix: true, handle: download },
    { method: 'HEAD', path: downloadPathPrefix, prefix: true, handle: download },
  ];
  if (authConfig.mode === 'oidc' && authConfig.oidc) {
    const oidc = createOidcRoutes({
      auth: { ...authConfig, oidc: authConfig.oidc },
      client: createOidcClient(authConfig.oidc),
      sessions,
      audit,
      log,
      publicUrl: config.server.publicUrl,
      tls: Boolean(config.server.tls),
      secureCookies,
      clock,
    });
    routes.push(
      {
        method: 'GET',
        path: '/api/auth/oidc/login',
        handle: (request, response) => oidc.login(request, response),
      },
      {
        method: 'GET',
        path: '/api/auth/oidc/callback',
        handle: (request, response) => oidc.callback(request, response),
      },
      // The desktop app's code exchange (no Origin: a foreign one is refused above every route).
      {
        method: 'POST',
        path: '/api/auth/oidc/token',
        handle: (request, response) => oidc.token(request, response),
      },
    );
  }
  const api = createApiServer({
    server: config.server,
    services,
    authenticator,
    log,
    routes,
    fallback: createStaticFiles(webRoot),
    started: options.started,
    signInLimit,
  });
  const address = await api.listen();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${config.server.tls ? 'https' : 'http'}://${host}:${address.port}`;
  log.info('API listening', { url, authMode: config.auth.mode, webConsole: webRoot ?? null });
  return {
    ...api,
    audit,
    url,
    async close() {
      metrics.close();
      await api.close();
    },
  };
}
