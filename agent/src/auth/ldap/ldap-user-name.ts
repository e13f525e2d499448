import type { Client } from 'ldapts';
import { canonicalUserName } from '../user-name.ts';

/**
 * The user's name as the directory spells it, read back after the bind: the directory matches
 * `ALICE` to alice, and the session and the audit log must say alice whichever way it was typed.
 * Read from the attribute the DN template names (`uid` in `uid={username},ou=people,...`); when
 * the template names none (`{username}@example.org`) or the entry cannot be read, the canonical
 * form (lower case, trimmed).
 */
export async function directoryUserName(
  client: Client,
  query: { readonly userDn: string; readonly template: string; readonly typed: string },
): Promise<string> {
  const attribute = /^\s*([A-Za-z][\w-]*)\s*=\s*\{username\}\s*(?:,|$)/.exec(query.template)?.[1];
  if (!attribute) return canonicalUserName(query.typed);
  try {
    const { searchEntries } = await client.search(query.userDn, {
      scope: 'base',
      attributes: [attribute],
      sizeLimit: 1,
    });
    const entry = searchEntries[0];
    // Attribute names are case-insensitive in LDAP; servers answer in their own spelling.
    const key = Object.keys(entry ?? {}).find((name) => name.toLowerCase() === attribute.toLowerCase());
    const value = entry && key !== undefined ? entry[key] : undefined;
    const values = (Array.isArray(value) ? value : [value]).map((item) =>
      Buffer.isBuffer(item) ? item.toString('utf8') : item === undefined ? '' : String(item),
    );
    // A multi-valued attribute: the value the user meant, as the directory writes it.
    const canonical = canonicalUserName(query.typed);
    return values.find((item) => canonicalUserName(item) === canonical) ?? canonical;
  } catch {
    return canonicalUserName(query.typed);
  }
}
