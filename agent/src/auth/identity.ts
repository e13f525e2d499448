import type { Role } from '@port-yard/shared';

/** Who is calling: resolved per request by the authenticator, checked by every procedure. */
export interface Identity {
  readonly kind: 'anonymous' | 'user' | 'token';
  readonly name: string;
  readonly role: Role;
  readonly groups: readonly string[];
  /** How the caller proved it: for the audit log. */
  readonly via: 'none' | 'proxy' | 'session' | 'basic' | 'token';
}

const rank: Record<Role, number> = { viewer: 1, operator: 2 };

/** True when `identity` has at least `role` (operators can do everything viewers can). */
export function hasRole(identity: Identity | undefined, role: Role): boolean {
  return identity !== undefined && rank[identity.role] >= rank[role];
}
