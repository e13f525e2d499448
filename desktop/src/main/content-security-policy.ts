import { agentConnectSources } from './auth-headers.ts';

/**
 * The Content-Security-Policy of the app's pages: scripts only from the app itself (no inline
 * script, no eval), styles also inline (the component library injects its CSS at runtime),
 * connections to the app and to the registered agents (HTTP and WebSocket) only, no plugins,
 * frames, forms or base-URL changes. `devServer`: electron-vite's dev server, whose hot reload
 * uses a WebSocket to it.
 */
export function contentSecurityPolicy(options: {
  readonly agents: readonly { readonly url: string }[];
  readonly devServer?: string;
}): string {
  const connect = ["'self'", ...agentConnectSources(options.agents)];
  if (options.devServer) connect.push(...agentConnectSources([{ url: options.devServer }]));
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${[...new Set(connect)].join(' ')}`,
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The agent sources `policy` does not allow yet: a page showing it must reload to reach them. */
export function sourcesMissingFrom(policy: string, agents: readonly { readonly url: string }[]): string[] {
  const connect = policy.split(';').find((directive) => directive.trim().startsWith('connect-src '));
  const allowed = new Set(connect?.trim().split(/\s+/).slice(1));
  return agentConnectSources(agents).filter((source) => !allowed.has(source));
}
