import type mysql from 'mysql2/promise';
import { quoteMysqlIdentifier as quoteIdentifier } from '../engines/sql-quoting.ts';

/**
 * A MariaDB/MySQL dump keeps each view's, trigger's, routine's and event's `DEFINER`, the
 * production account they run as. On a test server that account is usually missing (the object
 * then fails when used: a trigger fails every insert into its table), or it is an admin there
 * (`root@localhost`), and a `SQL SECURITY DEFINER` routine that runs SQL it is given would let a
 * sandbox user act as that admin, across every sandbox on the server. So every such object of a
 * sandbox is re-created with the sandbox user as its definer: it works, and it can do no more than
 * the sandbox user can.
 *
 * Each object is re-created from the server's own `SHOW CREATE` text (only the DEFINER clause
 * replaced), under the `sql_mode` it was created with. Triggers are handled in their action
 * order, so their order on each table is kept.
 */
export async function reassignDefiners(
  db: mysql.Connection,
  database: string,
  account: string,
): Promise<void> {
  const schema = quoteIdentifier(database);
  // SHOW CREATE names the objects an object uses without their database: they are in this one.
  await db.query(`USE ${schema}`);
  const rows = async (sql: string): Promise<Record<string, unknown>[]> =>
    (await db.query(sql, [database]))[0] as Record<string, unknown>[];

  for (const view of await rows(
    'SELECT TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
  )) {
    const [shown] = await showCreate(
      db,
      `SHOW CREATE VIEW ${schema}.${quoteIdentifier(String(view['name']))}`,
    );
    const statement = String(shown?.['Create View'] ?? '');
    // ALTER keeps the view in place, so views built on it stay valid.
    await db.query(withDefiner(statement, account).replace(/^CREATE /, 'ALTER '));
  }

  const triggers = await rows(
    `SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
     ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER`,
  );
  for (const trigger of triggers) {
    const name = `${schema}.${quoteIdentifier(String(trigger['name']))}`;
    const [shown] = await showCreate(db, `SHOW CREATE TRIGGER ${name}`);
    await recreate(db, `DROP TRIGGER ${name}`, shown, 'SQL Original Statement', account);
  }

  for (const routine of await rows(
    `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type FROM information_schema.ROUTINES
     WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_TYPE, ROUTINE_NAME`,
  )) {
    const type = routine['type'] === 'FUNCTION' ? 'FUNCTION' : 'PROCEDURE';
    const name = `${schema}.${quoteIdentifier(String(routine['name']))}`;
    const [shown] = await showCreate(db, `SHOW CREATE ${type} ${name}`);
    await recreate(
      db,
      `DROP ${type} ${name}`,
      shown,
      `Create ${type === 'FUNCTION' ? 'Function' : 'Procedure'}`,
      account,
    );
  }

  for (const event of await rows(
    'SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME',
  )) {
    const name = `${schema}.${quoteIdentifier(String(event['name']))}`;
    const [shown] = await showCreate(db, `SHOW CREATE EVENT ${name}`);
    await recreate(db, `DROP EVENT ${name}`, shown, 'Create Event', account);
  }
}

async function showCreate(db: mysql.Connection, sql: string): Promise<Record<string, unknown>[]> {
  return (await db.query(sql))[0] as Record<string, unknown>[];
}

/** Drops the object and creates it again from its SHOW CREATE row, in its own sql_mode and database. */
async function recreate(
  db: mysql.Connection,
  drop: string,
  shown: Record<string, unknown> | undefined,
  column: string,
  account: string,
): Promise<void> {
  const statement = shown?.[column];
  if (typeof statement !== 'string')
    throw new Error(`${drop.replace(/^DROP /, 'SHOW CREATE ')} gave no ${column}`);
  const sqlMode = typeof shown?.['sql_mode'] === 'string' ? shown['sql_mode'] : '';
  await db.query('SET @py_saved_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = ?', [sqlMode]);
  try {
    await db.query(drop);
    await db.query(withDefiner(statement, account));
  } finally {
    await db.query('SET SESSION sql_mode = @py_saved_sql_mode');
  }
}

/** A user or host part of an account as SHOW CREATE prints it: `name`, 'name' or bare. */
const accountPart = String.raw`(?:\x60(?:[^\x60]|\x60\x60)*\x60|'(?:[^'\\]|\\.|'')*'|[^\s@]+)`;
const definerClause = new RegExp(
  String.raw`\bDEFINER\s*=\s*(?:${accountPart}@${accountPart}|CURRENT_USER(?:\(\))?)`,
  'i',
);

/** The statement with its (first) DEFINER clause naming `account`; one without gets none added. */
export function withDefiner(statement: string, account: string): string {
  // Only the head, before the body: a body may contain the word DEFINER too.
  const head = /^[\s\S]*?\b(?:VIEW|TRIGGER|PROCEDURE|FUNCTION|EVENT)\b/i.exec(statement)?.[0] ?? '';
  return head.replace(definerClause, `DEFINER=${account}`) + statement.slice(head.length);
}
