import type { IncomingMessage } from 'node:http';
import { sessionCookieName } from './sessions.ts';

/** What a request carries to prove who it is, read once. */
export interface RequestCredentials {
  readonly bearer?: string;
  readonly basic?: { readonly username: string; readonly password: string };
  readonly sessionId?: string;
  readonly remoteAddress?: string;
  readonly headers: IncomingMessage['headers'];
}

export function readCredentials(request: IncomingMessage): RequestCredentials {
  // The scheme ends at any whitespace (RFC 9110 allows a tab too): `Bearer<TAB>x` split at a
  // space only was no scheme at all, and so no credential, which `auth.mode: none` serves as
  // anonymous, past the DNS-rebinding host check that a bearer token skips.
  const match = /^(\S+)\s+(.*)$/s.exec(request.headers.authorization ?? '');
  const [scheme, value] = [match?.[1]?.toLowerCase() ?? '', match?.[2]?.trim() ?? ''];
  let basic: RequestCredentials['basic'];
  if (scheme === 'basic' && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) basic = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return {
    bearer: scheme === 'bearer' && value ? value : undefined,
    basic,
    sessionId: cookie(request.headers.cookie, sessionCookieName),
    remoteAddress: request.socket.remoteAddress,
    headers: request.headers,
  };
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
