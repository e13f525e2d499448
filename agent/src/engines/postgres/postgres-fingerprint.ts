import type pg from 'pg';
import type { ConnectionSettings } from '../engine.ts';
import { fingerprintOf } from '../fingerprint-hash.ts';
import type { FingerprintDetails } from '../fingerprint-hash.ts';
import { withPostgresConnection } from './postgres-connection.ts';

/**
 * "Did anything in this PostgreSQL database change?" from the server's cumulative statistics,
 * without reading rows. What each fact catches and where it is blind: ../FINGERPRINTS.md. Bump
 * the scheme when the facts change.
 */
export const postgresFingerprintScheme = 'pg2';

/** Same fingerprint as the newest artifact means "unchanged since then". */
export async function postgresFingerprint(connection: ConnectionSettings, database: string): Promise<string> {
  return (await postgresFingerprintDetails(connection, database)).fingerprint;
}

/**
 * Server-wide facts that say "the counters below cannot be compared with the last ones":
 * a restart (postmaster start), discarded statistics after a crash (every fixed-size statistic,
 * the archiver's too, gets a fresh reset time), a reset of this database's counters, a standby
 * (its counters do not see replayed writes: the replay position stands in, moved by any write).
 */
const serverSql = `
  SELECT current_setting('server_version_num')::int AS version,
    d.oid::int8 AS "databaseOid",
    pg_postmaster_start_time()::text AS "startedAt",
    (SELECT stats_reset::text FROM pg_stat_archiver) AS "statsDiscardedAt",
    (SELECT stats_reset::text FROM pg_stat_database WHERE datid = d.oid) AS "countersResetAt",
    current_setting('track_counts')::bool AS "trackCounts",
    pg_is_in_recovery() AS standby,
    CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END AS "replayedUpTo",
    (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser
  FROM pg_database d WHERE d.datname = current_database()`;

/**
 * Every table, TOAST table, materialized view and sequence of this database, catalogs included
 * (DDL, GRANT, COMMENT, large objects are rows in pg_catalog). Shared catalogs are left out: other
 * databases write them. Counters count aborted rows too; n_live_tup and friends are left out
 * because VACUUM and ANALYZE move them. relfilenode catches TRUNCATE, which counts no deletes.
 */
const relationsSql = `
  SELECT c.oid::int8, c.relfilenode::int8,
    pg_stat_get_tuples_inserted(c.oid), pg_stat_get_tuples_updated(c.oid), pg_stat_get_tuples_deleted(c.oid)
  FROM pg_class c
  WHERE c.relkind IN ('r', 'p', 't', 'm', 'S') AND NOT c.relisshared AND c.relpersistence <> 't'
  ORDER BY c.oid`;

const sequencesSql = `
  SELECT c.oid::int8 AS oid, format('%I.%I', n.nspname, c.relname) AS name,
    has_sequence_privilege(c.oid, 'SELECT') AS readable
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'S' AND c.relpersistence <> 't' ORDER BY c.oid`;

/**
 * This database's subscriptions: pg_subscription is a shared catalog, left out above, yet
 * pg_dump dumps them (CREATE SUBSCRIPTION ... CONNECTION) when run by a superuser, the only one
 * who may read their connection strings. Others read the columns granted to everyone: pg_dump
 * does not dump subscriptions for them.
 */
const subscriptionsSql = (superuser: boolean) => `
  SELECT ${superuser ? 'to_jsonb(s)::text' : 's.oid::int8, s.subname, s.subenabled, s.subslotname, s.subsynccommit, s.subpublications::text'}
  FROM pg_subscription s WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  ORDER BY s.oid`;

/**
 * Other sessions of this database inside a transaction (a running statement, or idle in one): a
 * session reports its counts only when it goes idle outside a transaction, so writes it committed
 * before may not be counted yet, for as long as it stays there. pg_locks and pg_stat_activity's
 * pid and datname are readable by every user (a session's state is not): every transaction holds
 * its virtualxid lock. Autovacuum workers are left out where the user may see what they are,
 * and Port-Yard's own connections (application_name port-yard: the backup's lookups run beside).
 */
const inTransactionSql = `
  SELECT count(*)::int AS sessions FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'virtualxid' AND a.datname = current_database() AND l.pid <> pg_backend_pid()
    AND a.backend_type IS DISTINCT FROM 'autovacuum worker'
    AND a.application_name IS DISTINCT FROM 'port-yard'`;

export async function postgresFingerprintDetails(
  connection: ConnectionSettings,
  database: string,
): Promise<FingerprintDetails> {
  return withPostgresConnection(connection, database, async (client) => {
    const unsure: string[] = [];
    const [server] = (await client.query(serverSql)).rows as Record<string, unknown>[];
    if (Number(server?.version) < 150000) {
      unsure.push('PostgreSQL before 15 sends statistics over UDP and may lose them under load');
    }
    if (server?.trackCounts !== true) unsure.push('track_counts is off: writes are not counted');
    const [busy] = (await client.query(inTransactionSql)).rows as { sessions: number }[];
    if ((busy?.sessions ?? 0) > 0)
      unsure.push(
        `${busy!.sessions} other session(s) of this database are in a transaction: what they committed before may not be counted yet`,
      );
    const relations = (await client.query({ text: relationsSql, rowMode: 'array' })).rows;
    const sequences = await sequenceStates(client, unsure);
    const subscriptions = (
      await client.query({ text: subscriptionsSql(server?.superuser === true), rowMode: 'array' })
    ).rows;
    return fingerprintOf(postgresFingerprintScheme, { server, relations, sequences, subscriptions }, unsure);
  });
}

/**
 * nextval/setval change a sequence without counting a row anywhere: read what pg_dump dumps
 * (last_value, is_called). A few hundred sequences per query.
 */
async function sequenceStates(client: pg.Client, unsure: string[]): Promise<unknown[]> {
  const sequences = (await client.query(sequencesSql)).rows as {
    oid: string;
    name: string;
    readable: boolean;
  }[];
  for (const { name } of sequences.filter((s) => !s.readable)) unsure.push(`cannot read sequence ${name}`);
  const readable = sequences.filter((s) => s.readable);
  const states: unknown[] = [];
  for (let start = 0; start < readable.length; start += 500) {
    const sql = readable
      .slice(start, start + 500)
      .map((s) => `SELECT ${Number(s.oid)}::int8, last_value::text, is_called FROM ${s.name}`)
      .join(' UNION ALL ');
    try {
      states.push(...(await client.query({ text: sql, rowMode: 'array' })).rows);
    } catch (error) {
      // Most likely a sequence dropped since it was listed: a change, so never "unchanged".
      unsure.push(`cannot read sequences: ${(error as Error).message}`);
    }
  }
  return states;
}
