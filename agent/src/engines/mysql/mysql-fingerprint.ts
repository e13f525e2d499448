import { PortYardError } from '@port-yard/shared';
import type { ConnectionSettings } from '../engine.ts';
import { withMysqlConnection } from './mysql-connection.ts';
import { openTransactionStarts, updateTimeGuards } from './mysql-fingerprint-guards.ts';
import { fingerprintOf } from '../fingerprint-hash.ts';
import type { FingerprintDetails } from '../fingerprint-hash.ts';
import { schemaFacts, sortedRows, volatileTableColumns, without } from './mysql-fingerprint-schema.ts';
import type { Query, Row, SameName } from './mysql-fingerprint-schema.ts';
import { dataSignals, innodbFacts, sequenceFacts, smallTableChecksums } from './mysql-fingerprint-tables.ts';

/**
 * "Did anything in this MariaDB database change?" without reading its rows. What each fact
 * catches and where it is blind: ../FINGERPRINTS.md. Bump the scheme when the facts change, so an
 * old artifact's fingerprint never matches a new one by accident.
 */
export const mysqlFingerprintScheme = 'my1';

const timedView = (view: string, extra = '') =>
  `SELECT *, UNIX_TIMESTAMP(CREATE_TIME) AS createdAt, UNIX_TIMESTAMP(UPDATE_TIME) AS updatedAt
   FROM information_schema.${view} WHERE TABLE_SCHEMA = ? ${extra}`;

/** The tables' and partitions' rows with their times (one `?`: the database name). */
export const timedViewQueries = {
  tables: timedView('TABLES'),
  partitions: timedView('PARTITIONS', 'AND PARTITION_NAME IS NOT NULL'),
};

/** Same fingerprint as the newest artifact means "unchanged since then". */
export async function mysqlFingerprint(connection: ConnectionSettings, database: string): Promise<string> {
  return (await mysqlFingerprintDetails(connection, database)).fingerprint;
}

export async function mysqlFingerprintDetails(
  connection: ConnectionSettings,
  database: string,
): Promise<FingerprintDetails> {
  return withMysqlConnection(connection, async (db) => {
    // UTC: UNIX_TIMESTAMP(UPDATE_TIME) is then exact, also in the repeated hour of a DST change.
    await db.query("SET time_zone = '+00:00'");
    const query: Query = async (sql, params = []) => {
      const options = {
        sql,
        values: params,
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
      };
      return (await db.query(options))[0] as Row[];
    };
    return gatherFacts(query, database);
  });
}

async function gatherFacts(query: Query, database: string): Promise<FingerprintDetails> {
  const scheme = mysqlFingerprintScheme;
  const [{ version }] = (await query('SELECT VERSION() AS version')) as [{ version: string }];
  if (!/mariadb/i.test(version)) {
    // MySQL caches UPDATE_TIME for information_schema_stats_expiry (a day) and names its InnoDB
    // views differently; untested here, so it never claims "unchanged".
    return fingerprintOf(scheme, { version }, [`${version} is not MariaDB: no fingerprint support`]);
  }
  // A restart empties InnoDB's in-memory UPDATE_TIMEs and counters: a new start time says so.
  const [server] = await query(
    `SELECT VERSION() AS version, UNIX_TIMESTAMP() - CAST(VARIABLE_VALUE AS SIGNED) AS startedAt,
       @@lower_case_table_names AS lowerCaseNames
     FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME'`,
  );
  const lowerCaseNames = Number(server?.lowerCaseNames) !== 0;
  const ours: SameName = lowerCaseNames
    ? (name) => typeof name === 'string' && name.toLowerCase() === database.toLowerCase()
    : (name) => name === database;
  const schema = await schemaFacts(query, database, ours);
  if (schema.SCHEMATA?.length === 0) {
    throw new PortYardError('NOT_FOUND', `MariaDB database ${database} does not exist`);
  }

  // This order is what updateTimeGuards relies on: now, then open transactions, then UPDATE_TIMEs.
  const now = Number((await query('SELECT UNIX_TIMESTAMP() AS now'))[0]?.now);
  const transactions = await openTransactionStarts(query);
  const timed = async (sql: string) => (await query(sql, [database])).filter((row) => ours(row.TABLE_SCHEMA));
  const tables = await timed(timedViewQueries.tables);
  // Per partition: a partitioned table's own UPDATE_TIME is only the newest of its partitions'.
  const partitions = await timed(timedViewQueries.partitions);

  const unsure: string[] = [];
  const { innodb, checksummed } = dataSignals(tables, unsure);
  const facts = {
    scheme,
    database,
    server,
    schema,
    tables: sortedRows(tables.map((row) => without(row, volatileTableColumns))),
    partitions: sortedRows(partitions.map((row) => without(row, volatileTableColumns))),
    innodb: innodb.length > 0 ? await innodbFacts(query, { database, lowerCaseNames }, unsure) : [],
    sequences: await sequenceFacts(query, database, tables, unsure),
    checksums: await smallTableChecksums(query, database, checksummed),
  };
  const innodbNames = new Set(innodb.map((t) => t.TABLE_NAME));
  const innodbTimed = [...innodb, ...partitions.filter((p) => innodbNames.has(p.TABLE_NAME))];
  await updateTimeGuards(
    query,
    { now, transactions, timed: [...tables, ...partitions], innodb: innodbTimed },
    unsure,
  );
  return fingerprintOf(scheme, facts, unsure);
}
