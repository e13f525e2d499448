import type { Client } from 'ldapts';

/**
 * The names of the groups `filter` finds below `base`: the values of `attribute` (usually `cn`)
 * of each entry. Bounded, so that a directory with a filter matching everything cannot flood the
 * agent.
 */
export async function searchGroups(
  client: Client,
  query: { readonly base: string; readonly filter: string; readonly attribute: string },
): Promise<string[]> {
  const { searchEntries } = await client.search(query.base, {
    scope: 'sub',
    filter: query.filter,
    attributes: [query.attribute],
    sizeLimit: 1000,
  });
  const names = searchEntries.flatMap((entry) => {
    // Attribute names are case-insensitive in LDAP; servers answer in their own spelling.
    const key = Object.keys(entry).find((name) => name.toLowerCase() === query.attribute.toLowerCase());
    const value = key === undefined ? [] : entry[key];
    return (Array.isArray(value) ? value : [value]).map((item) =>
      Buffer.isBuffer(item) ? item.toString('utf8') : String(item),
    );
  });
  return [...new Set(names.filter(Boolean))];
}
