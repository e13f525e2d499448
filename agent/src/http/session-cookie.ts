import { sessionCookieName } from '../auth/sessions.ts';

/** HttpOnly, SameSite=Strict, Path=/, Secure when the agent is reached over HTTPS. */
export function sessionCookie(id: string, expiresAt: Date, secure: boolean): string {
  return `${sessionCookieName}=${id}; HttpOnly; SameSite=Strict; Path=/; Expires=${expiresAt.toUTCString()}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${sessionCookieName}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
}
