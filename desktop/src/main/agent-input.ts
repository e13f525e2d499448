import { PortYardError } from '@port-yard/shared';

/**
 * What the user typed to add an agent, checked and normalized. No token: an agent in OIDC mode,
 * signed in afterwards through the system browser (oidc-loopback.ts).
 */
export interface AgentInput {
  readonly name: string;
  readonly url: string;
  readonly token?: string;
}

export const maxNameLength = 64;
const maxTokenLength = 4096;

/**
 * Checks every field and reports every problem at once, each naming its field
 * (`name: ...; url: ...`). The URL is normalized to `scheme://host[:port][/base/path]`.
 */
export function checkAgentInput(input: AgentInput): AgentInput {
  const problems: string[] = [];
  const name = input.name.trim();
  if (name.length < 1 || name.length > maxNameLength)
    problems.push(`name: must be 1 to ${maxNameLength} characters (got ${name.length})`);
  else if (/\p{Cc}/u.test(name)) problems.push('name: must not contain control characters');
  const url = normalizeAgentUrl(input.url);
  if (typeof url !== 'string') problems.push(`url: ${url.problem}`);
  const tokenProblem = input.token === undefined ? undefined : checkToken(input.token);
  if (tokenProblem) problems.push(`token: ${tokenProblem}`);
  if (problems.length > 0 || typeof url !== 'string')
    throw new PortYardError('INVALID_INPUT', problems.join('; '));
  return { name, url, token: input.token?.trim() };
}

/** Why a token cannot go into an `Authorization: Bearer` header, or undefined when it can. */
export function checkToken(token: string): string | undefined {
  const trimmed = token.trim();
  if (trimmed.length === 0) return 'must not be empty';
  if (trimmed.length > maxTokenLength) return `must be at most ${maxTokenLength} characters`;
  // Printable ASCII only: a line break would smuggle another header into every request.
  if (!/^[\x21-\x7e]+$/.test(trimmed)) return 'must be printable ASCII without spaces';
  return undefined;
}

/** `https://backup.example:8420/` → `https://backup.example:8420`, or what is wrong with it. */
export function normalizeAgentUrl(text: string): string | { problem: string } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { problem: `"${text.trim().slice(0, 100)}" is not a URL (e.g. https://backup.example:8420)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { problem: `must start with http:// or https:// (got ${url.protocol})` };
  if (url.username || url.password) return { problem: 'must not contain a user name or password' };
  if (url.search || url.hash) return { problem: 'must not contain a query or fragment' };
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
