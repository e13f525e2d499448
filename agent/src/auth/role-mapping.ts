import type { AuthConfig, Role } from '@port-yard/shared';

/**
 * The one place that turns a signed-in user (name and groups, from a proxy, OIDC or LDAP) into a
 * role: the highest role of every matching rule, else the configured default. Undefined means
 * refused. Finer permissions later hook in here.
 */
export function roleFor(
  auth: AuthConfig,
  user: { readonly name: string; readonly groups: readonly string[] },
): Role | undefined {
  let best: Role | undefined;
  for (const rule of auth.roles) {
    const matches =
      (rule.users ?? []).includes(user.name) ||
      (rule.groups ?? []).some((group) => user.groups.includes(group));
    if (matches && (best === undefined || rule.role === 'operator')) best = rule.role;
  }
  if (best) return best;
  return auth.defaultRole === 'none' ? undefined : auth.defaultRole;
}
