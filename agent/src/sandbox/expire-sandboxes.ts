import type { ExpiredSandboxes, SandboxSummary } from '@port-yard/shared';
import { dropSandbox } from './drop-sandbox.ts';
import {
  openSandboxServer,
  sandboxServerNames,
  sandboxSummary,
  type SandboxServer,
  type SandboxServerDeps,
} from './sandbox-server.ts';

/**
 * One expiry pass over every sandbox test server:
 * 1. every sandbox whose `expiresAt` is at or before `now` is claimed (`dropping`, unless an extend
 *    came first) and dropped: database, user, then its registry row;
 * 2. `py_sbx_` databases and users without a registry row are dropped too. They are listed before
 *    the rows are read: a creation writes its row before it creates anything, so whatever was seen
 *    without a row was never in flight (only an interrupted drop or a deleted row leaves them).
 * Failures are collected per server and sandbox; the rest still runs, and the next pass retries.
 */
export async function expireSandboxes(deps: SandboxServerDeps, now: Date): Promise<ExpiredSandboxes> {
  const dropped: SandboxSummary[] = [];
  const orphans: string[] = [];
  const problems: { server: string; message: string }[] = [];
  for (const name of sandboxServerNames(deps)) {
    const server = openSandboxServer(deps, name);
    const problem = (error: unknown, what: string): void =>
      void problems.push({ server: name, message: `${what}: ${(error as Error).message}` });
    try {
      const leftovers = await server.accounts.leftovers();
      const records = await server.registry.list();
      for (const record of records) {
        if (record.expiresAt.getTime() > now.getTime()) continue;
        try {
          if (!(await server.registry.claimForDrop(record.id, now, true))) continue;
          await dropSandbox(server, record.id);
          dropped.push(sandboxSummary(record, server));
        } catch (error) {
          problem(error, `dropping sandbox ${record.id}`);
        }
      }
      const known = new Set(records.map((record) => record.id));
      for (const orphan of await dropOrphans(server, leftovers, known, problem))
        orphans.push(`${name}/${orphan}`);
    } catch (error) {
      problem(error, 'reading the sandbox registry');
    }
  }
  return { dropped, orphans, problems };
}

async function dropOrphans(
  server: SandboxServer,
  leftovers: { databases: string[]; users: string[] },
  known: ReadonlySet<string>,
  problem: (error: unknown, what: string) => void,
): Promise<string[]> {
  const dropped: string[] = [];
  for (const database of leftovers.databases.filter((name) => !known.has(name))) {
    try {
      await server.accounts.endSessions(database); // its user, if that is still there
      await server.engine.dropDatabase(server.config, database);
      dropped.push(`database ${database}`);
    } catch (error) {
      problem(error, `dropping leftover database ${database}`);
    }
  }
  for (const user of leftovers.users.filter((name) => !known.has(name))) {
    try {
      await server.accounts.dropUser(user);
      dropped.push(`user ${user}`);
    } catch (error) {
      problem(error, `dropping leftover user ${user}`);
    }
  }
  return dropped;
}
