import { manifestSchema, PortYardError, type ErrorCode, type Manifest } from '@port-yard/shared';

/** How the main process reaches one agent: its base URL and the token from the keychain. */
export interface AgentTarget {
  readonly url: string;
  readonly token: string | undefined;
  readonly fetch?: typeof fetch;
}

export const bearerHeaders = (token: string | undefined): Record<string, string> =>
  token === undefined ? {} : { authorization: `Bearer ${token}` };

/**
 * One request to an agent, with its token; a network failure becomes CONNECTION_FAILED naming
 * the agent, and an abort CANCELLED.
 */
export async function agentRequest(
  agent: AgentTarget,
  path: string,
  init: { headers?: Record<string, string>; signal?: AbortSignal; method?: string; body?: string } = {},
): Promise<Response> {
  const url = `${agent.url}${path}`;
  try {
    return await (agent.fetch ?? fetch)(url, {
      method: init.method ?? 'GET',
      headers: { ...bearerHeaders(agent.token), ...init.headers },
      body: init.body,
      signal: init.signal,
      redirect: 'error',
    });
  } catch (error) {
    if (init.signal?.aborted) throw new PortYardError('CANCELLED', 'cancelled', { cause: error });
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new PortYardError(
      'CONNECTION_FAILED',
      `the request to the agent at ${agent.url} failed: ${cause}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The error for an unsuccessful answer, with the status and the agent's own words: plain routes
 * answer `{ error: { code, message } }`, tRPC `{ error: { message, data: { code } } }`.
 */
export async function agentError(
  agent: AgentTarget,
  response: Response,
  what: string,
): Promise<PortYardError> {
  const text = await response.text().catch(() => '');
  let said = '';
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') said = body.error.message;
  } catch {
    said = text.slice(0, 200);
  }
  const status = response.status;
  const code: ErrorCode =
    status === 401 || status === 403 ? 'AUTH_FAILED' : status === 404 ? 'NOT_FOUND' : 'CONNECTION_FAILED';
  const hint =
    status === 401
      ? ' (the API token was refused: check or replace it)'
      : status === 403
        ? ' (the token lacks the role for this)'
        : '';
  return new PortYardError(
    code,
    `${what}: the agent at ${agent.url} answered ${status}${said ? `: ${said}` : ''}${hint}`,
  );
}

/** The artifact's manifest through tRPC over HTTP: `GET /api/trpc/artifacts.get?input={"id":...}`. */
export async function fetchManifest(
  agent: AgentTarget,
  artifactId: string,
  signal?: AbortSignal,
): Promise<Manifest> {
  const input = encodeURIComponent(JSON.stringify({ id: artifactId }));
  const response = await agentRequest(agent, `/api/trpc/artifacts.get?input=${input}`, { signal });
  const what = `reading the manifest of ${artifactId}`;
  if (!response.ok) throw await agentError(agent, response, what);
  const body = (await response.json().catch(() => undefined)) as
    { result?: { data?: { manifest?: unknown } } } | undefined;
  const parsed = manifestSchema.safeParse(body?.result?.data?.manifest);
  if (!parsed.success || parsed.data.artifactId !== artifactId)
    throw new PortYardError('INTEGRITY_FAILED', `${what}: the agent at ${agent.url} sent no valid manifest`);
  return parsed.data;
}
