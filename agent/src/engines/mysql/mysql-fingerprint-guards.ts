import type { Query, Row } from './mysql-fingerprint-schema.ts';

/**
 * When the MariaDB fingerprint cannot vouch for "unchanged". UPDATE_TIME has one-second steps, and
 * InnoDB sets it at commit to the second its transaction STARTED (server clock; a session's
 * SET timestamp does not move it). A later commit can therefore leave it exactly as read.
 */

/**
 * Start seconds of the open InnoDB transactions. INNODB_TRX is a snapshot the server refreshes only
 * when nobody read it in the last 0.1 s: our own transaction, started after `now` was read, in the
 * list proves the snapshot is newer than `now`.
 */
export async function openTransactionStarts(query: Query): Promise<Set<number> | string> {
  try {
    await query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    for (let attempt = 0; attempt < 5; attempt++) {
      const rows = await query(
        `SELECT UNIX_TIMESTAMP(trx_started) AS started, trx_mysql_thread_id = CONNECTION_ID() AS ours,
           trx_is_read_only AS readOnly
         FROM information_schema.INNODB_TRX`,
      );
      if (rows.some((row) => Number(row.ours) === 1)) {
        // START TRANSACTION READ ONLY cannot write a table; any other one (a dump's too) may.
        const writable = rows.filter((row) => Number(row.ours) !== 1 && Number(row.readOnly) !== 1);
        return new Set(writable.map((row) => Number(row.started)));
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    return 'the list of open transactions stayed stale (INNODB_TRX read more often than every 0.1 s)';
  } catch (error) {
    return `cannot list open transactions (needs the PROCESS privilege): ${(error as Error).message}`;
  } finally {
    await query('COMMIT');
  }
}

export interface TimedRead {
  /** UNIX_TIMESTAMP() read before INNODB_TRX, which was read before the UPDATE_TIMEs. */
  readonly now: number;
  readonly transactions: Set<number> | string;
  /** TABLES and PARTITIONS rows with `createdAt` / `updatedAt` epoch seconds. */
  readonly timed: readonly Row[];
  /** The InnoDB ones among them. */
  readonly innodb: readonly Row[];
}

/**
 * Unsure when:
 * - a time is from this second or the one before: more writes may land in the same second;
 * - an open transaction started in the same second as an InnoDB UPDATE_TIME: it may still commit
 *   and leave that UPDATE_TIME as it is. Any transaction started 2 s or more before `now` is in
 *   `transactions` (openTransactionStarts) unless it committed before the UPDATE_TIMEs were read;
 * - an InnoDB UPDATE_TIME is NULL while the server holds more InnoDB tables than its dictionary
 *   cache (table_definition_cache): an evicted table comes back with NULL, forgetting a write.
 *   Without eviction NULL means "not written since the server started", which the start time covers.
 */
export async function updateTimeGuards(query: Query, read: TimedRead, unsure: string[]): Promise<void> {
  const recent = read.timed.some((row) =>
    [row.createdAt, row.updatedAt].some((t) => t !== null && Number(t) >= read.now - 1),
  );
  if (recent) unsure.push('a table was written less than 2 s ago');
  if (read.innodb.length === 0) return;

  if (typeof read.transactions === 'string') {
    unsure.push(read.transactions);
  } else {
    const stamps = new Set(
      read.innodb.filter((row) => row.updatedAt !== null).map((row) => Number(row.updatedAt)),
    );
    const clash = [...read.transactions].filter((started) => stamps.has(started));
    if (clash.length > 0) unsure.push(`a transaction open since ${clash.join(', ')} may still commit`);
  }
  if (read.innodb.some((row) => row.updatedAt === null)) {
    const [dictionary] = await query(
      'SELECT COUNT(*) AS tables, @@table_definition_cache AS cache FROM information_schema.INNODB_SYS_TABLES',
    ).catch(() => [undefined]);
    if (!dictionary || Number(dictionary.tables) > Number(dictionary.cache)) {
      unsure.push('an InnoDB table has no UPDATE_TIME and may have been evicted from the dictionary cache');
    }
  }
}
