import { originOf } from './app-pages.ts';

/** A registered agent as the request hooks need it: where it is, and its token (if any). */
export interface AgentCredential {
  readonly url: string;
  readonly token: string | undefined;
}

export interface AuthContext {
  /** The app's own origin: only its pages' requests get a token. */
  readonly appOrigin: string;
  readonly agents: readonly AgentCredential[];
}

/**
 * The agent a request goes to: same host and port, `ws:` counting as `http:` and `wss:` as
 * `https:` (the tRPC WebSocket), and a path under the agent's base path. The longest base path
 * wins when agents share a host.
 */
export function agentForUrl<T extends { readonly url: string }>(
  requestUrl: string,
  agents: readonly T[],
): T | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  const protocol = { 'ws:': 'http:', 'wss:': 'https:' }[url.protocol] ?? url.protocol;
  const origin = `${protocol}//${url.host}`;
  let best: T | undefined;
  let bestLength = -1;
  for (const agent of agents) {
    const base = new URL(agent.url);
    const basePath = base.pathname.replace(/\/+$/, '');
    const under = url.pathname === basePath || url.pathname.startsWith(`${basePath}/`);
    if (base.origin === origin && under && basePath.length > bestLength) {
      best = agent;
      bestLength = basePath.length;
    }
  }
  return best;
}

/**
 * Request headers for a request from the app's pages to a registered agent (HTTP or the
 * WebSocket upgrade): `Authorization: Bearer <token>` from the keychain, so the renderer never
 * holds a token, and no `Origin`. Without an Origin the agent treats the request as a
 * non-browser client that authenticates with a token (its cross-site check exists for browsers
 * holding its cookie; this session never loads foreign pages). Undefined: leave the request as is.
 */
export function withAgentAuth(
  request: { readonly url: string; readonly headers: Readonly<Record<string, string>> },
  context: AuthContext,
): Record<string, string> | undefined {
  const origin = headerValue(request.headers, 'origin');
  if (origin === undefined || origin !== context.appOrigin) return undefined;
  const agent = agentForUrl(request.url, context.agents);
  if (!agent) return undefined;
  const headers = without(request.headers, ['origin', 'authorization']);
  if (agent.token !== undefined) headers['Authorization'] = `Bearer ${agent.token}`;
  return headers;
}

const allowedRequestHeaders = 'authorization, content-type, trpc-accept, range, if-range';

/**
 * Response headers for an answer from a registered agent: CORS for the app's own origin (the
 * agent does not know it, and the request reached it without an Origin), credentials allowed;
 * preflights also get the methods and headers the console uses. Undefined: not an agent.
 */
export function withAgentCors(
  response: {
    readonly url: string;
    readonly method: string;
    readonly headers: Readonly<Record<string, string[]>> | undefined;
  },
  context: AuthContext,
): Record<string, string[]> | undefined {
  if (!agentForUrl(response.url, context.agents)) return undefined;
  const headers = without(response.headers ?? {}, (name) => name.startsWith('access-control-'));
  headers['Access-Control-Allow-Origin'] = [context.appOrigin];
  headers['Access-Control-Allow-Credentials'] = ['true'];
  const vary = Object.entries(headers).find(([name]) => name.toLowerCase() === 'vary');
  if (!vary) headers['Vary'] = ['Origin'];
  else if (!vary[1].join(',').toLowerCase().includes('origin')) headers[vary[0]] = [...vary[1], 'Origin'];
  if (response.method === 'OPTIONS') {
    headers['Access-Control-Allow-Methods'] = ['GET, POST, OPTIONS'];
    headers['Access-Control-Allow-Headers'] = [allowedRequestHeaders];
    headers['Access-Control-Max-Age'] = ['600'];
  }
  return headers;
}

/** The agent origins a page must be allowed to connect to: `http(s)://host` and `ws(s)://host`. */
export function agentConnectSources(agents: readonly { readonly url: string }[]): string[] {
  const sources = new Set<string>();
  for (const agent of agents) {
    const origin = originOf(agent.url);
    if (!origin) continue;
    sources.add(origin);
    sources.add(origin.replace(/^http/, 'ws'));
  }
  return [...sources];
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

function without<V>(
  headers: Readonly<Record<string, V>>,
  drop: readonly string[] | ((lowerCaseName: string) => boolean),
): Record<string, V> {
  const dropped = typeof drop === 'function' ? drop : (name: string) => drop.includes(name);
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped(name.toLowerCase())));
}
