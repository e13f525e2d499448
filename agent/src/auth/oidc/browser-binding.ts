import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Binds a pending login to the browser that started it (RFC 9700 §4.7), so that a callback URL
 * carrying someone else's code cannot sign this browser in as them (login CSRF). SameSite=Lax,
 * not Strict: the provider's redirect back is a cross-site top-level navigation, which must
 * carry it. The path keeps it off every other request.
 */
export const bindingCookieName = 'py_oidc';
const path = '/api/auth/oidc';

/** The browser's binding: the one it already has (several tabs may sign in at once) or a new one. */
export function browserBinding(request: IncomingMessage): string {
  const existing = readBinding(request);
  return existing && /^[\w-]{43}$/.test(existing) ? existing : randomBytes(32).toString('base64url');
}

export function readBinding(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === bindingCookieName) return rest.join('=');
  }
  return undefined;
}

export function bindingCookie(value: string, secure: boolean): string {
  return `${bindingCookieName}=${value}; HttpOnly; SameSite=Lax; Path=${path}; Max-Age=600${secure ? '; Secure' : ''}`;
}

export function clearedBindingCookie(secure: boolean): string {
  return `${bindingCookieName}=; HttpOnly; SameSite=Lax; Path=${path}; Max-Age=0${secure ? '; Secure' : ''}`;
}
