import { isPortYardError } from '@port-yard/shared';
import type { Agent } from '../main.ts';
import type { AlertTracker } from './alert-tracker.ts';
import { sandboxEvent, verificationFailed } from './event-messages.ts';
import type { Notification } from './notification.ts';

/** Errors of the request itself (a bad id, no verify.server, a cancel): the caller hears of them, not a channel. */
const requestErrors = new Set(['NOT_FOUND', 'INVALID_INPUT', 'CONFIG_INVALID', 'CONFLICT', 'CANCELLED']);

/**
 * The agent with the events of its own actions reported, whoever calls them (a run's
 * verify.after: each, the cron verification, the API, the sandbox expiry timer):
 * - `verify` → verification.failed when an artifact fails or verification cannot run (first
 *   time, then per reminder interval, per database of a target; a pass ends the problem quietly);
 * - `createSandbox` → sandbox.created (the summary: never the password or URI);
 * - `expireSandboxes` → sandbox.expired for each sandbox dropped.
 * Everything else is the agent's own method. Notifying never changes a result or an error.
 */
export function observeAgent(
  agent: Agent,
  deps: {
    readonly alerts: AlertTracker;
    readonly emit: (notification: Notification) => void;
    readonly now: () => Date;
  },
): Agent {
  const { alerts, emit, now } = deps;
  const subject = (artifactId: string) => {
    const manifest = agent.catalog.get(artifactId)?.manifest;
    return manifest && { target: manifest.target, artifactId, database: manifest.database };
  };
  // One problem per database: a target's other database passing must not end (and so re-announce
  // at its next failure) or hide this one's.
  const verifyKey = (about: { target: string; database: string }): string =>
    `${about.target}:verify:${about.database}`;
  return {
    ...agent,
    async verify(artifactId, options) {
      const about = subject(artifactId);
      try {
        const result = await agent.verify(artifactId, options);
        if (about && result.ok) alerts.clear(verifyKey(about));
        else if (about) {
          const decision = alerts.problem(verifyKey(about), 'verification.failed', now());
          if (decision.notify) emit(verificationFailed(about, { result }, decision, now()));
        }
        return result;
      } catch (error) {
        if (about && !(isPortYardError(error) && requestErrors.has(error.code))) {
          const decision = alerts.problem(verifyKey(about), 'verification.failed', now());
          if (decision.notify) emit(verificationFailed(about, { error: error as Error }, decision, now()));
        }
        throw error;
      }
    },
    async createSandbox(request) {
      const created = await agent.createSandbox(request);
      const { password: _password, uri: _uri, ...summary } = created;
      emit(sandboxEvent('sandbox.created', summary, now()));
      return created;
    },
    async expireSandboxes(at) {
      const result = await agent.expireSandboxes(at);
      for (const sandbox of result.dropped) emit(sandboxEvent('sandbox.expired', sandbox, now()));
      return result;
    },
  };
}
