import { readdir, realpath, access, constants } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Where Debian installs each PostgreSQL version's programs: `<root>/<version>/bin/<program>`. */
export const debianPostgresBinRoot = '/usr/lib/postgresql';

/**
 * Debian's client programs (`/usr/bin/pg_dump`, `psql`, ...) are links to `pg_wrapper`, a Perl
 * script that picks one installed version's binary and runs it: Perl's start-up on every call
 * (measured here: `pg_dump --version` 26 ms through it, 5 ms direct), which a backup pays twice
 * (the version check and the dump) and before its first byte.
 *
 * With a host given (the agent always sets PGHOST) pg_wrapper ignores local clusters and runs the
 * newest installed version that has the program; this picks the same binary without Perl. The one
 * other thing pg_wrapper does, defaulting PGSYSCONFDIR, only locates pg_service.conf, which the
 * agent never uses (it unsets PGSERVICE). Anything that is not pg_wrapper is returned as it is.
 */
export async function bypassPgWrapper(path: string, binRoot = debianPostgresBinRoot): Promise<string> {
  const target = await realpath(path).catch(() => path);
  if (basename(target) !== 'pg_wrapper' || basename(dirname(target)) !== 'postgresql-common') return path;
  const versions = await readdir(binRoot).catch(() => [] as string[]);
  const newestFirst = versions
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of newestFirst) {
    const candidate = join(binRoot, version, 'bin', basename(path));
    const runnable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (runnable) return candidate;
  }
  return path; // pg_wrapper will report what is missing
}
