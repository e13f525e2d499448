import type { Route } from './api-server.ts';
import type { Readiness } from './health-readiness.ts';
import { sendJson } from './respond.ts';

/**
 * `/healthz`, `/readyz` and `/metrics` answer without signing in: Kubernetes probes and a
 * Prometheus scrape carry no credentials. That is safe because what they show is operational
 * only: up or not, storage names with the storage's own error message (a place and an OS or
 * protocol code, never a credential: storage locations carry none), target names, counts,
 * sizes, durations and timestamps. No artifact id, database name, user, token or config secret
 * appears in them. Anything more goes through the authenticated API.
 */
export function readinessRoute(
  readiness: { check(): Promise<Readiness> },
  /** While true (the agent reads its catalog), not ready, without probing the storages. */
  starting: () => boolean = () => false,
): Route {
  return async (_request, response) => {
    if (starting()) return sendJson(response, 503, { status: 'starting' });
    const result = await readiness.check();
    const failed = result.storages.filter((storage) => !storage.ok);
    sendJson(response, result.ready ? 200 : 503, {
      status: result.ready ? 'ready' : 'not ready',
      checkedAt: result.checkedAt,
      storages: result.storages.map(({ storage, ok }) => ({ storage, ok })),
      ...(failed.length > 0 ? { failed: failed.map(({ storage, error }) => ({ storage, error })) } : {}),
    });
  };
}
