/** A server's release series: PostgreSQL's major (16), MariaDB/MySQL's major.minor (10.11, 8.0). */
export function releaseSeries(flavor: string, version: string): string | undefined {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!match) return undefined;
  return /postgres/i.test(flavor) || match[2] === undefined ? match[1] : `${match[1]}.${match[2]}`;
}

const compareSeries = (a: string, b: string): number => {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
};

/**
 * What a DBA should know before restoring a dump taken on one server into another: a different
 * flavor (MySQL ↔ MariaDB) or release series; a dump from a newer server may use syntax the older
 * one does not know.
 */
export function versionWarnings(
  dumped: { readonly flavor: string; readonly version: string },
  server: { readonly flavor: string; readonly version: string },
): string[] {
  if (dumped.flavor.toLowerCase() !== server.flavor.toLowerCase())
    return [
      `the dump was taken from ${dumped.flavor} ${dumped.version}; this server is ${server.flavor} ${server.version}: some statements may not load`,
    ];
  const from = releaseSeries(dumped.flavor, dumped.version);
  const to = releaseSeries(server.flavor, server.version);
  if (!from || !to || from === to) return [];
  return compareSeries(from, to) > 0
    ? [
        `the dump was taken from a newer server (${dumped.flavor} ${from}) than this one (${to}): it may use features this server lacks`,
      ]
    : [`the dump was taken from ${dumped.flavor} ${from}; this server runs ${to}: check the release notes`];
}
