import type mysql from 'mysql2/promise';
import { PortYardError } from '@port-yard/shared';
import { quoteMysqlIdentifier as quoteIdentifier } from '../engines/sql-quoting.ts';

/**
 * A MariaDB/MySQL dump keeps each view's, trigger's, routine's and event's `DEFINER`, the
 * production account (or role) they run as. On a test server that account is usually missing
 * (the object then fails when used: a trigger fails every insert into its table), or it is an
 * admin there (`root@localhost`), and a `SQL SECURITY DEFINER` routine that runs SQL it is given
 * would let a sandbox user act as that admin, across every sandbox on the server. So every such
 * object of a sandbox is re-created with the sandbox user as its definer: it works, and it can do
 * no more than the sandbox user can.
 *
 * Each object is re-created from the server's own `SHOW CREATE` text (only the DEFINER clause
 * replaced), under the `sql_mode` (events: also the `time_zone`) it was created with. Triggers
 * are handled in their action order, so their order on each table is kept. Afterwards no object
 * may name another definer: one that does fails the sandbox, naming it.
 */
export async function reassignDefiners(db: mysql.Connection, database: string, user: string): Promise<void> {
  const schema = quoteIdentifier(database);
  const account = `'${user}'@'%'`;
  // SHOW CREATE names the objects an object uses without their database: they are in this one.
  await db.query(`USE ${schema}`);
  const rows = async (sql: string): Promise<Record<string, unknown>[]> =>
    (await db.query(sql, [database]))[0] as Record<string, unknown>[];

  for (const view of await rows(
    'SELECT TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
  )) {
    const name = String(view['name']);
    await explained('view', name, async () => {
      const [shown] = await showCreate(db, `SHOW CREATE VIEW ${schema}.${quoteIdentifier(name)}`);
      // ALTER keeps the view in place, so views built on it stay valid.
      const statement = withDefiner(String(shown?.['Create View'] ?? ''), account);
      await db.query(statement.replace(/^CREATE /, 'ALTER '));
    });
  }

  for (const trigger of await rows(
    `SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
     ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER`,
  )) {
    const name = String(trigger['name']);
    const quoted = `${schema}.${quoteIdentifier(name)}`;
    await explained('trigger', name, () =>
      recreate(
        db,
        `SHOW CREATE TRIGGER ${quoted}`,
        `DROP TRIGGER ${quoted}`,
        'SQL Original Statement',
        account,
      ),
    );
  }

  for (const routine of await rows(
    `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type FROM information_schema.ROUTINES
     WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_TYPE, ROUTINE_NAME`,
  )) {
    const type = routine['type'] === 'FUNCTION' ? 'FUNCTION' : 'PROCEDURE';
    const name = String(routine['name']);
    const quoted = `${schema}.${quoteIdentifier(name)}`;
    const column = `Create ${type === 'FUNCTION' ? 'Function' : 'Procedure'}`;
    await explained(type.toLowerCase(), name, () =>
      recreate(db, `SHOW CREATE ${type} ${quoted}`, `DROP ${type} ${quoted}`, column, account),
    );
  }

  for (const event of await rows(
    'SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME',
  )) {
    const name = String(event['name']);
    const quoted = `${schema}.${quoteIdentifier(name)}`;
    await explained('event', name, () =>
      recreate(db, `SHOW CREATE EVENT ${quoted}`, `DROP EVENT ${quoted}`, 'Create Event', account),
    );
  }

  await assertOnlyDefiner(db, database, `${user}@%`);
}

/** Runs one object's change; a failure names the object (and, for a view, the likely cause). */
async function explained(kind: string, name: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const hint =
      kind === 'view'
        ? ' (a view the masking SQL left invalid, by dropping what it reads? drop the view there too)'
        : '';
    throw new PortYardError(
      'RESTORE_FAILED',
      `cannot make the sandbox user the definer of ${kind} ${name}: ${(error as Error).message}${hint}`,
      { phase: 'restore', cause: error },
    );
  }
}

async function showCreate(db: mysql.Connection, sql: string): Promise<Record<string, unknown>[]> {
  return (await db.query(sql))[0] as Record<string, unknown>[];
}

/**
 * Drops the object and creates it again from its SHOW CREATE row, with the new definer, in its
 * own sql_mode (and an event's time_zone, which its schedule is read in). The new statement is
 * made before anything is dropped.
 */
async function recreate(
  db: mysql.Connection,
  show: string,
  drop: string,
  column: string,
  account: string,
): Promise<void> {
  const [shown] = await showCreate(db, show);
  const original = shown?.[column];
  if (typeof original !== 'string') throw new Error(`${show} gave no ${column}`);
  const statement = withDefiner(original, account);
  const sqlMode = typeof shown?.['sql_mode'] === 'string' ? shown['sql_mode'] : '';
  const timeZone = typeof shown?.['time_zone'] === 'string' ? shown['time_zone'] : undefined;
  await db.query('SET @py_saved_sql_mode = @@SESSION.sql_mode, @py_saved_time_zone = @@SESSION.time_zone');
  try {
    await db.query('SET SESSION sql_mode = ?', [sqlMode]);
    if (timeZone !== undefined) await db.query('SET SESSION time_zone = ?', [timeZone]);
    await db.query(drop);
    await db.query(statement);
  } finally {
    await db.query('SET SESSION sql_mode = @py_saved_sql_mode, SESSION time_zone = @py_saved_time_zone');
  }
}

/** Every view, trigger, routine and event of the database runs as `definer` (`user@host`). */
async function assertOnlyDefiner(db: mysql.Connection, database: string, definer: string): Promise<void> {
  const [rows] = await db.query(
    `SELECT 'view' AS kind, TABLE_NAME AS name, DEFINER AS definer FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?
     UNION ALL SELECT 'trigger', TRIGGER_NAME, DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
     UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME, DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
     UNION ALL SELECT 'event', EVENT_NAME, DEFINER FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`,
    [database, database, database, database],
  );
  const others = (rows as { kind: string; name: string; definer: string }[]).filter(
    (row) => row.definer !== definer,
  );
  if (others.length > 0)
    throw new PortYardError(
      'RESTORE_FAILED',
      `the sandbox would run objects as another account: ${others.map((row) => `${row.kind} ${row.name} as ${row.definer}`).join(', ')}`,
      { phase: 'restore' },
    );
}

/** A user, host or role name as SHOW CREATE prints it: `name`, 'name' or bare. */
const namePart = String.raw`(?:\x60(?:[^\x60]|\x60\x60)*\x60|'(?:[^'\\]|\\.|'')*'|[^\s@\x60'=]+)`;
/**
 * The DEFINER clause where SHOW CREATE puts it: right after `CREATE` (and a view's `ALGORITHM=`),
 * before any name, so a name that contains `VIEW` or `DEFINER` cannot be mistaken for it. The
 * definer is `user@host`, a role (no host), or CURRENT_USER / CURRENT_ROLE.
 */
const definerClause = new RegExp(
  String.raw`^(CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?)DEFINER\s*=\s*(?:CURRENT_USER(?:\(\))?|CURRENT_ROLE(?:\(\))?|${namePart}(?:@${namePart})?)(?=\s)`,
  'i',
);

/** The statement with its DEFINER clause naming `account`; one without such a clause is refused. */
export function withDefiner(statement: string, account: string): string {
  if (!definerClause.test(statement))
    throw new Error(`no DEFINER clause where one was expected: ${statement.slice(0, 80)}`);
  return statement.replace(definerClause, `$1DEFINER=${account}`);
}
