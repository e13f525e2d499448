import { randomBytes } from 'node:crypto';
import { sandboxIdPattern } from '@port-yard/shared';

/**
 * A sandbox's id is also the name of its database and of its user: `py_sbx_` and 10 hex digits
 * (40 random bits). The prefix makes leftovers recognisable on the test server, and the name
 * needs no quoting in SQL, URIs or shells (and no escaping but of `_` in MariaDB grants).
 */
export const sandboxPrefix = 'py_sbx_';

export function newSandboxId(): string {
  return `${sandboxPrefix}${randomBytes(5).toString('hex')}`;
}

export function isSandboxId(name: string): boolean {
  return sandboxIdPattern.test(name);
}

/** 24 random bytes as base64url: 32 characters, 192 bits, safe in URIs, `.pgpass` and option files. */
export function newSandboxPassword(): string {
  return randomBytes(24).toString('base64url');
}
