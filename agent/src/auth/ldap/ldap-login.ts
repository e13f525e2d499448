import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError } from 'ldapts';
import type { AuthConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import type { Identity } from '../identity.ts';
import type { Logger } from '../../platform/logger.ts';
import { roleFor } from '../role-mapping.ts';
import { userNameProblem } from '../user-name.ts';
import { escapeDnValue, escapeFilterValue, fillTemplate, hasControlCharacters } from './ldap-escape.ts';
import { searchGroups } from './ldap-groups.ts';
import { directoryUserName } from './ldap-user-name.ts';

export type LdapSettings = NonNullable<AuthConfig['ldap']>;

export interface LdapLoginOptions {
  readonly auth: AuthConfig & { readonly ldap: LdapSettings };
  readonly log: Logger;
  /** Extra TLS settings (a private CA) for ldaps:// and StartTLS; tests use it. */
  readonly tls?: ConnectionOptions;
  readonly connectTimeoutMs?: number;
  readonly timeoutMs?: number;
}

/**
 * Signs a user in by binding as them (the server checks the password; the agent never sees a
 * hash), then reads their name as the directory spells it and their groups with that same bind
 * and maps them to a role. A wrong password or a user without a role is undefined (refused); a
 * server that cannot be reached is an error, logged here because the login route answers every
 * refusal alike.
 */
export function createLdapLogin(options: LdapLoginOptions) {
  const { auth, log } = options;
  const ldap = auth.ldap;
  const ldaps = ldap.url.startsWith('ldaps:');
  if (!ldaps && !ldap.startTls && !isLoopback(new URL(ldap.url).hostname))
    log.warn('LDAP passwords are sent unencrypted: use an ldaps:// URL or startTls', { url: ldap.url });
  return async (username: string, password: string): Promise<Identity | undefined> => {
    // An empty password is an "unauthenticated bind", which LDAP servers accept as a success.
    // Spaces at the ends are refused: the directory ignores them, `alice ` would be alice.
    if (!username || !password || hasControlCharacters(username) || userNameProblem(username))
      return undefined;
    const userDn = fillTemplate(ldap.userDnTemplate, { username: escapeDnValue(username) });
    const client = new Client({
      url: ldap.url,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      timeout: options.timeoutMs ?? 10_000,
      // Only for ldaps://: ldapts opens TLS at once whenever TLS options are given, which
      // would break StartTLS on ldap://.
      tlsOptions: ldaps ? { ...serverName(ldap.url), ...options.tls } : undefined,
    });
    try {
      if (ldap.startTls && !ldaps) await client.startTLS({ ...serverName(ldap.url), ...options.tls });
      await client.bind(userDn, password);
      const name = await directoryUserName(client, {
        userDn,
        template: ldap.userDnTemplate,
        typed: username,
      });
      const groups = ldap.groupSearchBase
        ? await searchGroups(client, {
            base: ldap.groupSearchBase,
            filter: fillTemplate(ldap.groupFilter, {
              dn: escapeFilterValue(userDn),
              username: escapeFilterValue(name),
            }),
            attribute: ldap.groupNameAttribute,
          })
        : [];
      const role = roleFor(auth, { name, groups });
      if (!role) log.warn('LDAP user has no role here', { username: name, groups });
      return role ? { kind: 'user', name, role, groups, via: 'session' } : undefined;
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return undefined;
      const message = `LDAP login failed at ${ldap.url}: ${(error as Error).message || String(error)}`;
      log.error(message, { username });
      throw new PortYardError('CONNECTION_FAILED', message, { cause: error });
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };
}

/** SNI and certificate checks for a host name (an IP address is matched by Node as it is). */
function serverName(url: string): ConnectionOptions {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? {} : { servername: host };
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
