import type { AgentRegistry } from './agent-registry.ts';
import type { AgentCredential } from './auth-headers.ts';

export interface AgentCredentials {
  /** The agents and their tokens as of the last refresh (synchronous: request hooks need it). */
  current(): readonly AgentCredential[];
  /** Reads the registry and the keychain again: at start and after every change. */
  refresh(): Promise<void>;
}

/**
 * The main process's in-memory copy of URL + token per agent, so that the request hooks do not
 * ask the OS keychain on every request. It never leaves the main process. A refresh reads each
 * agent's token once (a keychain read can be slow, or ask the user to unlock).
 */
export function createAgentCredentials(registry: Pick<AgentRegistry, 'entries' | 'token'>): AgentCredentials {
  let current: readonly AgentCredential[] = [];
  return {
    current: () => current,
    async refresh() {
      const agents = await registry.entries();
      // A token the keychain does not give (an unlock prompt dismissed, no Secret Service) is
      // none: that agent asks to sign in, and the app and its other agents start all the same.
      current = await Promise.all(
        agents.map(async (agent) => ({
          url: agent.url,
          token: await registry.token(agent.id).catch(() => undefined),
        })),
      );
    },
  };
}
