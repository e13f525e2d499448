/**
 * User names as people type them. Directories (LDAP, Active Directory) compare names ignoring
 * case and surrounding spaces, so `ALICE`, `Alice` and `alice ` all sign in as alice: counted
 * apart, each variant got its own 10 attempts, and each signed in under another name.
 */

/** Why a typed user name is refused, or undefined: spaces at either end are never part of one. */
export function userNameProblem(name: string): string | undefined {
  return name !== name.trim() ? 'a user name must not start or end with a space' : undefined;
}

/**
 * The one form every variant of a name shares: Unicode-normalized (NFKC), trimmed, inner runs of
 * spaces made one, lower-cased. What the sign-in limit counts under, in every mode.
 */
export function canonicalUserName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
