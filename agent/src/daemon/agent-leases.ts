import type { Agent } from '../main.ts';

/**
 * Who still works with which agent. A reload builds a new agent, but runs, restores and passes
 * already going keep the old one to their end: closing it at once would cut their storage
 * connections (an SFTP upload in flight fails with "the SFTP channel closed"). A retired agent
 * is closed when its last lease ends, or at once when it has none.
 */
export interface AgentLeases {
  /** Holds `agent` open until the returned function runs (idempotent). */
  retain(agent: Agent): () => void;
  /** Runs `work` on `agent`, holding it meanwhile. */
  use<T>(agent: Agent, work: (agent: Agent) => Promise<T>): Promise<T>;
  /** Closes `agent` now if nothing holds it, else when the last holder lets go. */
  retire(agent: Agent): Promise<void>;
}

export function createAgentLeases(onCloseError: (error: unknown) => void): AgentLeases {
  const holders = new Map<Agent, number>();
  const retired = new Set<Agent>();
  const close = (agent: Agent): Promise<void> => agent.close().catch(onCloseError);

  const retain = (agent: Agent): (() => void) => {
    holders.set(agent, (holders.get(agent) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (holders.get(agent) ?? 1) - 1;
      if (left > 0) {
        holders.set(agent, left);
        return;
      }
      holders.delete(agent);
      if (retired.delete(agent)) void close(agent);
    };
  };

  return {
    retain,
    async use(agent, work) {
      const release = retain(agent);
      try {
        return await work(agent);
      } finally {
        release();
      }
    },
    async retire(agent) {
      if (holders.has(agent)) retired.add(agent);
      else await close(agent);
    },
  };
}
