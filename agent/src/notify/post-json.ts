import { abortedBecause, type SendOutcome } from './send-outcome.ts';

/**
 * One POST of a JSON body to a webhook URL. The URL is a secret (Slack, Teams and Discord carry
 * the credential in it): it never appears in the outcome, only the status and the start of the
 * receiver's answer. Redirects are not followed (a webhook that moves is a configuration to fix,
 * and the signature must not travel to another host).
 */
export async function postJson(
  request: {
    readonly url: string;
    readonly body: string;
    readonly headers: Readonly<Record<string, string>>;
  },
  options: { readonly signal: AbortSignal; readonly timeoutMs: number; readonly userAgent: string },
): Promise<SendOutcome> {
  const { url, authorization } = withoutCredentials(request.url);
  const hasAuthorization = Object.keys(request.headers).some(
    (name) => name.toLowerCase() === 'authorization',
  );
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body: request.body,
      headers: {
        'user-agent': options.userAgent,
        ...(authorization && !hasAuthorization ? { authorization } : {}),
        ...request.headers,
      },
      redirect: 'manual',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal.aborted) return abortedBecause(options.signal, options.timeoutMs);
    return { ok: false, error: networkProblem(error, request.url), retryable: true };
  }
  let answer = '';
  try {
    answer = (await response.text()).slice(0, 300);
  } catch {
    if (options.signal.aborted) return abortedBecause(options.signal, options.timeoutMs);
  }
  if (response.status >= 200 && response.status < 300) return { ok: true };
  // A receiver may echo what it was sent: the credentials and header values are secrets too.
  const sent = [...Object.values(request.headers), ...(authorization ? [authorization] : [])];
  const said = scrub(answer, request.url, sent).replace(/\s+/g, ' ').trim();
  const error = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${said ? `: ${said}` : ''}`;
  if (response.status >= 300 && response.status < 400)
    return { ok: false, error: `${error} (redirects are not followed)`, retryable: false };
  const retryable = response.status === 429 || response.status === 408 || response.status >= 500;
  return { ok: false, error, retryable, retryAfterMs: retryAfter(response.headers.get('retry-after')) };
}

/**
 * fetch refuses a URL with a user and password in it (`https://user:pw@host/hook`, the usual way
 * to reach a receiver behind basic auth): they are sent as an Authorization: Basic header instead.
 */
function withoutCredentials(raw: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return { url: raw };
  }
  if (parsed.username === '' && parsed.password === '') return { url: raw };
  const credentials = `${decodeUrlPart(parsed.username)}:${decodeUrlPart(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** `connection refused (ECONNREFUSED)`: the cause's code, never the URL. */
function networkProblem(error: unknown, url: string): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed',
  };
  if (code) return `${known[code] ?? 'cannot connect'} (${code})`;
  return `cannot connect: ${scrub(cause?.message ?? (error as Error).message, url)}`;
}

/**
 * Removes the URL (and its path and query, its user and password, on their own) and `sent`
 * (header values; an Authorization value also without its scheme) from a text that might echo
 * them.
 */
function scrub(text: string, url: string, sent: readonly string[] = []): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const fromUrl = [
    url,
    parsed && `${parsed.pathname}${parsed.search}`,
    parsed?.pathname,
    parsed?.password,
    parsed && decodeUrlPart(parsed.password),
    // A receiver may echo one part alone: a token in the query, a key in the path (Slack's
    // /services/T…/B…/<secret>). Short segments (`hooks`, `v1`) are left: they hide nothing.
    ...(parsed ? [...parsed.searchParams.values()] : []),
    ...(parsed?.pathname.split('/').filter((segment) => segment.length >= 8) ?? []),
  ];
  const fromHeaders = sent
    .flatMap((value) => [value, value.replace(/^(basic|bearer)\s+/i, '')])
    .filter((value) => value.length > 3 && !/^application\//.test(value));
  // Longest first: a URL is removed whole before its path would be, alone.
  const secrets = [...fromUrl, ...fromHeaders]
    .filter((part): part is string => part !== undefined && part.length > 1)
    .sort((a, b) => b.length - a.length);
  return secrets.reduce((result, secret) => result.replaceAll(secret, '<redacted>'), text);
}

/** Retry-After in seconds (an HTTP date is rare for webhooks and ignored). */
function retryAfter(header: string | null): number | undefined {
  if (header === null || !/^\d+(\.\d+)?$/.test(header.trim())) return undefined;
  return Math.round(Number(header) * 1000);
}

/** A user or password as a URL holds it (%-encoded), decoded; as it is when it is not valid. */
function decodeUrlPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
