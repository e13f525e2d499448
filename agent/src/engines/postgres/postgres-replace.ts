import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { PortYardError } from '@port-yard/shared';
import type { ConnectionSettings, DatabaseReplacement, OpenConnections } from '../engine.ts';
import { openConnectionsConflict } from '../open-connections.ts';
import { withPostgresConnection } from './postgres-connection.ts';
import {
  postgresMaintenanceDatabase as maintenanceDatabase,
  quotePostgresIdentifier as quoteIdentifier,
  quotePostgresLiteral as quoteLiteral,
} from '../sql-quoting.ts';

async function sessionsOn(client: pg.Client, database: string): Promise<OpenConnections> {
  // usename is of type `name`: node-pg parses a text[] into an array, but leaves a name[] as the
  // string '{postgres}' (which then read as the users e, g, o, p, r, s, s, t, {, }).
  const { rows } = await client.query<{ count: string; users: string[] | null }>(
    `SELECT count(*) AS count, array_agg(DISTINCT usename::text) FILTER (WHERE usename IS NOT NULL) AS users
     FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [database],
  );
  return { count: Number(rows[0]?.count ?? 0), users: [...(rows[0]?.users ?? [])].sort() };
}

export function postgresOpenConnections(
  connection: ConnectionSettings,
  database: string,
): Promise<OpenConnections> {
  return withPostgresConnection(connection, maintenanceDatabase, (client) => sessionsOn(client, database));
}

export function postgresDatabaseSize(connection: ConnectionSettings, database: string): Promise<number> {
  return withPostgresConnection(connection, maintenanceDatabase, async (client) => {
    const { rows } = await client.query<{ bytes: string }>('SELECT pg_database_size($1) AS bytes', [
      database,
    ]);
    return Number(rows[0]?.bytes ?? 0);
  });
}

/** The database a staging copy's name was made from (cut to fit, when it was long), else undefined. */
export function stagingCopyOf(name: string): string | undefined {
  return /^(.+)_pyr_[0-9a-f]{8}$/.exec(name)?.[1];
}

/** `<database>_pyr_<8 hex>`, within PostgreSQL's 63-byte identifier limit. */
export function stagingDatabaseName(database: string): string {
  const suffix = `_pyr_${randomBytes(4).toString('hex')}`;
  let base = database;
  while (Buffer.byteLength(base + suffix) > 63) base = base.slice(0, -1);
  return base + suffix;
}

interface DatabaseFacts {
  readonly owner: string;
  readonly encoding: string;
  readonly collate: string;
  readonly ctype: string;
  /** `datlocprovider` (PostgreSQL 15+): c libc, i ICU, b builtin (17+); null before 15. */
  readonly provider: string | null;
  /** The ICU or builtin locale (`daticulocale`, named `datlocale` from 17), and ICU rules (16+). */
  readonly locale: string | null;
  readonly icuRules: string | null;
  /** The database's default tablespace, when not pg_default. */
  readonly tablespace: string | null;
  readonly grants: readonly { grantee: string | null; privilege: string }[] | null;
}

async function databaseFacts(client: pg.Client, database: string): Promise<DatabaseFacts> {
  const { rows } = await client.query<DatabaseFacts & { has_acl: boolean }>(
    `SELECT pg_get_userbyid(d.datdba) AS owner, pg_encoding_to_char(d.encoding) AS encoding,
            d.datcollate AS collate, d.datctype AS ctype, d.datacl IS NOT NULL AS has_acl,
            -- Through jsonb: these columns exist only in some versions.
            to_jsonb(d) ->> 'datlocprovider' AS provider,
            COALESCE(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale') AS locale,
            to_jsonb(d) ->> 'daticurules' AS "icuRules",
            (SELECT NULLIF(spcname, 'pg_default') FROM pg_tablespace WHERE oid = d.dattablespace) AS tablespace,
            (SELECT json_agg(json_build_object(
                      'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END,
                      'privilege', a.privilege_type))
               FROM aclexplode(d.datacl) a) AS grants
     FROM pg_database d WHERE d.datname = $1`,
    [database],
  );
  const row = rows[0];
  if (!row) throw new PortYardError('NOT_FOUND', `database ${database} does not exist`);
  return { ...row, grants: row.has_acl ? (row.grants ?? []) : null };
}

/**
 * What a manifest records of a PostgreSQL database (`databaseOptions`), so that a restore into a
 * new database makes it alike: its encoding, locale, and collation provider. On a connection to
 * any database of the server.
 */
export async function databaseOptionsOf(
  client: pg.Client,
  database: string,
): Promise<Record<string, string>> {
  return optionsOf(await databaseFacts(client, database));
}

function optionsOf(facts: DatabaseFacts): Record<string, string> {
  const provider = { i: 'icu', b: 'builtin' }[facts.provider ?? ''];
  return {
    encoding: facts.encoding,
    lcCollate: facts.collate,
    lcCtype: facts.ctype,
    ...(provider && facts.locale !== null ? { localeProvider: provider, locale: facts.locale } : {}),
    ...(provider === 'icu' && facts.icuRules !== null ? { icuRules: facts.icuRules } : {}),
  };
}

/**
 * `CREATE DATABASE` options that make a database like the one `options` describe (a manifest's
 * `databaseOptions`): an ICU database restored as libc would sort text differently.
 */
export function likeDatabaseSql(options: Readonly<Record<string, string>>): string {
  const { encoding, lcCollate, lcCtype, localeProvider, locale, icuRules } = options;
  const parts = ['TEMPLATE template0'];
  if (encoding) parts.push(`ENCODING ${quoteLiteral(encoding)}`);
  if (lcCollate) parts.push(`LC_COLLATE ${quoteLiteral(lcCollate)}`);
  if (lcCtype) parts.push(`LC_CTYPE ${quoteLiteral(lcCtype)}`);
  if (localeProvider === 'icu' && locale) {
    parts.push(`LOCALE_PROVIDER icu ICU_LOCALE ${quoteLiteral(locale)}`);
    if (icuRules) parts.push(`ICU_RULES ${quoteLiteral(icuRules)}`);
  } else if (localeProvider === 'builtin' && locale) {
    parts.push(`LOCALE_PROVIDER builtin BUILTIN_LOCALE ${quoteLiteral(locale)}`);
  }
  return parts.join(' ');
}

/**
 * PostgreSQL replaces atomically: the dump loads into a new database beside the original (same
 * owner, encoding, locale and database grants), and only a complete load swaps names with it.
 * A failed or cancelled restore drops the copy and leaves the original untouched. At the swap,
 * new connections to the original are blocked, and open ones refused (CONFLICT) or terminated.
 * The copy also keeps the collation provider (ICU, builtin) and the default tablespace.
 * Not carried over: database-level settings (ALTER DATABASE ... SET) and the database comment.
 */
export async function postgresBeginReplace(
  connection: ConnectionSettings,
  database: string,
  options: { readonly terminateConnections: boolean },
): Promise<DatabaseReplacement> {
  const staging = stagingDatabaseName(database);
  const maintenance = <T>(use: (client: pg.Client) => Promise<T>): Promise<T> =>
    withPostgresConnection(connection, maintenanceDatabase, use);

  await maintenance(async (client) => {
    const facts = await databaseFacts(client, database);
    await assertActsAsOwner(client, database, facts.owner);
    const open = await sessionsOn(client, database);
    if (open.count > 0 && !options.terminateConnections) throw openConnectionsConflict(database, open);
    await client.query(
      // Made like the original (encoding, locale, collation provider: an ICU database copied as
      // libc would sort text differently), on its tablespace (not filling the default disk).
      `CREATE DATABASE ${quoteIdentifier(staging)} OWNER ${quoteIdentifier(facts.owner)} ${likeDatabaseSql(optionsOf(facts))}
       ${facts.tablespace === null ? '' : `TABLESPACE ${quoteIdentifier(facts.tablespace)}`}`,
    );
    try {
      if (facts.grants) await copyGrants(client, staging, facts.grants);
    } catch (error) {
      await client
        .query(`DROP DATABASE IF EXISTS ${quoteIdentifier(staging)} WITH (FORCE)`)
        .catch(() => undefined);
      throw error;
    }
  });

  const dropStaging = (): Promise<void> =>
    maintenance(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(staging)} WITH (FORCE)`);
    });

  return {
    loadInto: staging,
    abort: dropStaging,
    commit: () =>
      maintenance(async (client) => {
        const old = stagingDatabaseName(database).replace(/_pyr_/, '_pyo_');
        await client.query(`ALTER DATABASE ${quoteIdentifier(database)} WITH ALLOW_CONNECTIONS false`);
        try {
          const open = await sessionsOn(client, database);
          if (open.count > 0 && !options.terminateConnections) throw openConnectionsConflict(database, open);
          await client.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [database],
          );
          await swapWhenFree(client, { database, staging, old });
        } catch (error) {
          await client
            .query(`ALTER DATABASE ${quoteIdentifier(database)} WITH ALLOW_CONNECTIONS true`)
            .catch(() => undefined);
          throw error;
        }
        // The restore is done: an old copy that cannot be dropped is a leftover to name, not a failure.
        try {
          await client.query(`DROP DATABASE ${quoteIdentifier(old)} WITH (FORCE)`);
          return [];
        } catch (error) {
          return [
            `the replaced database was kept as ${old} (connections to it blocked): it could not be dropped: ${(error as Error).message}`,
          ];
        }
      }),
  };
}

/**
 * The swap alters, renames and drops databases owned by the original's owner: the connecting user
 * needs that owner's privileges (a superuser, the owner, or a member that inherits them). A member
 * through a NOINHERIT membership may create the copy, but its grants are then skipped with only a
 * WARNING and the swap fails after the whole load, leaving a copy it cannot drop: refused first.
 */
async function assertActsAsOwner(client: pg.Client, database: string, owner: string): Promise<void> {
  const { rows } = await client.query<{ user: string; allowed: boolean }>(
    `SELECT current_user AS user, pg_has_role(current_user, $1, 'USAGE') AS allowed`,
    [owner],
  );
  const { user, allowed } = rows[0]!;
  if (!allowed)
    throw new PortYardError(
      'AUTH_FAILED',
      `user ${user} cannot replace database ${database}: that needs the privileges of its owner ${owner} (be a superuser, the owner, or a member of ${owner} with INHERIT); nothing was changed`,
    );
}

/** The original's database grants on the copy (PostgreSQL's default is CONNECT and TEMPORARY for everyone). */
async function copyGrants(
  client: pg.Client,
  staging: string,
  grants: NonNullable<DatabaseFacts['grants']>,
): Promise<void> {
  await client.query(`REVOKE ALL ON DATABASE ${quoteIdentifier(staging)} FROM PUBLIC`);
  for (const grant of grants) {
    if (!/^(CONNECT|CREATE|TEMPORARY)$/.test(grant.privilege)) continue;
    const grantee = grant.grantee === null ? 'PUBLIC' : quoteIdentifier(grant.grantee);
    await client.query(`GRANT ${grant.privilege} ON DATABASE ${quoteIdentifier(staging)} TO ${grantee}`);
  }
}

/**
 * Both renames in one transaction: the original becomes `old` and the copy takes its name, or
 * neither happens (an agent killed or a connection lost in between leaves no database missing).
 * A terminated backend takes a moment to leave, and RENAME fails while it is still there.
 */
async function swapWhenFree(
  client: pg.Client,
  names: { readonly database: string; readonly staging: string; readonly old: string },
): Promise<void> {
  const [database, staging, old] = [names.database, names.staging, names.old].map(quoteIdentifier);
  for (let attempt = 0; ; attempt += 1) {
    try {
      await client.query('BEGIN');
      await client.query(`ALTER DATABASE ${database} RENAME TO ${old}`);
      await client.query(`ALTER DATABASE ${staging} RENAME TO ${database}`);
      await client.query('COMMIT');
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // 55006 object_in_use: "database is being accessed by other users".
      if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
