import { sessionTokenPrefix } from '@port-yard/shared';
import { agentRequest, type AgentTarget } from './agent-http.ts';

/**
 * Before an agent is removed from the app: a session token the app signed in with is ended on the
 * agent (`POST /api/auth/logout`), not only forgotten here, so a copy of it elsewhere stops
 * working too. Best effort and short: an agent that cannot be reached must not keep its removal
 * from happening (the session then ends at its TTL, or when the agent restarts).
 */
export async function endAgentSession(agent: AgentTarget, timeoutMs = 3000): Promise<void> {
  if (!agent.token?.startsWith(sessionTokenPrefix)) return;
  await agentRequest(agent, '/api/auth/logout', {
    method: 'POST',
    signal: AbortSignal.timeout(timeoutMs),
  }).catch(() => undefined);
}
