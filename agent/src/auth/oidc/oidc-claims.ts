/**
 * Reading the user name and groups out of an ID token's (or userinfo's) claims. Providers differ:
 * Keycloak nests roles (`realm_access.roles`), some send groups as one space or comma separated
 * string, so the configured claim is a dotted path and every shape becomes a list of strings.
 */

/** The value at a dotted path (`realm_access.roles`); an exact key containing dots wins. */
export function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (path in claims) return claims[path];
  let current: unknown = claims;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Groups from an array claim or a space/comma separated string; anything else is no groups. */
export function groupsFrom(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return [...new Set(items.filter((item): item is string => typeof item === 'string' && item !== ''))];
}

/** The configured claim when it is a non-empty string, else `sub` (always present in an ID token). */
export function usernameFrom(claims: Readonly<Record<string, unknown>>, usernameClaim: string): string {
  const value = claimAt(claims, usernameClaim);
  return typeof value === 'string' && value !== '' ? value : String(claims['sub']);
}
