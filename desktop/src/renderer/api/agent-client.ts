import { createTRPCClient, createWSClient, httpLink, splitLink, wsLink } from '@trpc/client';
import type { AppRouter } from '../../../../agent/src/api/app-router.ts';

export type AgentClient = ReturnType<typeof createTRPCClient<AppRouter>>;

/** Where an agent is: its base URL (`https://backup.example:8420`), or the page's own origin. */
export interface AgentDescriptor {
  readonly id: string;
  readonly name: string;
  readonly url: string;
}

export interface AgentConnection {
  readonly client: AgentClient;
  close(): void;
}

export interface ConnectionEvents {
  /** The WebSocket is (again) open: subscriptions resume after their last tracked event. */
  onOpen(): void;
  onClose(): void;
}

/** A function that connects to an agent: the real one below, or a fake in store tests. */
export type AgentConnector = (agent: AgentDescriptor, events: ConnectionEvents) => AgentConnection;

/**
 * tRPC to one agent: queries and mutations over HTTP (the session cookie included), subscriptions
 * over one WebSocket that reconnects by itself with backoff. Tokens never pass through here: the
 * web console uses the session cookie, and the desktop app's main process adds the token from
 * the keychain to requests for that agent.
 */
export const connectAgent: AgentConnector = (agent, events) => {
  const base = agent.url.replace(/\/+$/, '');
  const wsClient = createWSClient({
    url: `${base.replace(/^http/, 'ws')}/api/trpc`,
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 5_000),
    onOpen: () => events.onOpen(),
    onClose: () => events.onClose(),
  });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === 'subscription',
        true: wsLink({ client: wsClient }),
        false: httpLink({
          url: `${base}/api/trpc`,
          // An agent's API never redirects. Followed, a redirect to another agent behind the same
          // origin got that agent's token from the desktop app, with the request (a 307 keeps a
          // POST) replayed there.
          fetch: (url, init) =>
            fetch(url, { ...(init as RequestInit), credentials: 'include', redirect: 'error' }),
        }),
      }),
    ],
  });
  return { client, close: () => void wsClient.close() };
};
