import { randomBytes } from 'node:crypto';
import type {
  EngineName,
  TargetConfig,
  TestServerConfig,
  VerificationResult,
  VerifiedTable,
} from '@port-yard/shared';
import { PortYardError, isPortYardError, verificationFormatVersion } from '@port-yard/shared';
import type { Catalog } from '../catalog/catalog.ts';
import type { Engine } from '../engines/engine.ts';
import { artifactWithTarget, testServerFor } from '../artifacts/artifact-target.ts';
import { prepareArtifactRestore } from '../restore/prepare-artifact-restore.ts';
import type { Storage } from '../storage/storage.ts';
import { compareTables } from './compare-tables.ts';
import { countRestoredTables } from './count-restored-tables.ts';
import { engineFamily } from './engine-family.ts';
import { writeVerificationSidecar } from './verification-sidecar.ts';
import { createSandboxAccounts } from '../sandbox/sandbox-accounts.ts';
import { isAlive } from '../platform/process-alive.ts';
import { hostTag } from '../platform/process-folders.ts';

export interface VerifyDeps {
  readonly catalog: Catalog;
  readonly storages: ReadonlyMap<string, Storage>;
  readonly engineFor: (engine: EngineName) => Engine;
  readonly targets: Readonly<Record<string, TargetConfig>>;
  readonly testServers: Readonly<Record<string, TestServerConfig>>;
  readonly now?: () => Date;
}

export interface VerifyArtifactRequest {
  readonly artifactId: string;
  readonly signal?: AbortSignal;
}

/**
 * Scratch databases are named `py_verify_<host>_<pid>_<6 hex>`: recognisable, never an existing
 * one, and whose: a verification killed with SIGKILL cannot drop its own (a full copy of
 * production data left on the test server), so the next verification on that server drops those
 * of this host's processes that are gone (`dropAbandonedScratch`).
 */
export const scratchDatabasePrefix = 'py_verify_';

export function scratchDatabaseName(): string {
  return `${scratchDatabasePrefix}${hostTag}_${process.pid}_${randomBytes(3).toString('hex')}`;
}

const scratchName = /^py_verify_([0-9a-f]{8})_(\d+)_[0-9a-f]{6}$/;

/** Drops the scratch databases on `server` of this host's processes that are gone; their names. */
export async function dropAbandonedScratch(
  engine: Engine,
  server: TestServerConfig,
  alive: (pid: number) => boolean = isAlive,
): Promise<string[]> {
  const abandoned = (await engine.listDatabases(server)).filter((name) => {
    const [, host, pid] = scratchName.exec(name) ?? [];
    return host === hostTag && pid !== undefined && !alive(Number(pid));
  });
  for (const name of abandoned) await engine.dropDatabase(server, name);
  return abandoned;
}

/**
 * Restore verification: restores the artifact into a scratch database on its target's test server
 * (`verify.server`), compares the base tables and row counts with the manifest, always drops the
 * scratch database, and stores the result as `<id>.verification.json` next to every copy.
 *
 * Thrown (nothing stored): a bad request (NOT_FOUND, INVALID_INPUT), anything that stops the
 * verification before the scratch database exists (test server unreachable, restore tool missing),
 * and cancellation. Recorded as `ok: false` (and returned): everything that goes wrong once the
 * restore has started — a damaged artifact (INTEGRITY_FAILED), a dump that does not load
 * (RESTORE_FAILED), missing or extra tables, row counts that differ.
 */
export async function verifyArtifact(
  deps: VerifyDeps,
  request: VerifyArtifactRequest,
): Promise<VerificationResult> {
  const now = deps.now ?? (() => new Date());
  const { entry, manifest, target } = artifactWithTarget(deps.catalog, deps.targets, request.artifactId);
  const { name: serverName, config: server } = testServerFor(deps.testServers, manifest, {
    key: 'verify.server',
    name: target.verify?.server,
    verb: 'verifies on',
  });
  const family = engineFamily(manifest.engine);
  if (request.signal?.aborted) throw new PortYardError('CANCELLED', 'the verification was cancelled');

  const engine = deps.engineFor(server.engine);
  // (Best effort: a test server that cannot be listed now fails the verification just below.)
  await dropAbandonedScratch(engine, server).catch(() => undefined);
  const scratch = scratchDatabaseName();
  const started = now();
  const prepared = await prepareArtifactRestore({
    entry,
    storages: deps.storages,
    target,
    engine: withoutOwnership(engine),
    connection: server,
    database: scratch,
  });
  let tables: VerifiedTable[] = [];
  let problems: string[] = [];
  let error: { code: string; message: string } | undefined;
  let cleanupError: string | undefined;
  try {
    let created = false;
    try {
      await engine.createDatabase(server, scratch);
      // Production data on a server where others log in (sandbox roles): PostgreSQL's PUBLIC
      // loses CONNECT, as for a sandbox, also when the dump grants PUBLIC access to its tables.
      await createSandboxAccounts(family, server).isolateDatabase(scratch);
      created = true;
      await prepared.run({ signal: request.signal });
      request.signal?.throwIfAborted();
      const restored = await countRestoredTables(family, server, scratch, request.signal);
      ({ tables, problems } = compareTables(family, manifest.tables, restored));
    } catch (caught) {
      if (!created || request.signal?.aborted || (isPortYardError(caught) && caught.code === 'CANCELLED'))
        throw cancelledOr(caught, request.signal);
      const code = isPortYardError(caught) ? caught.code : 'INTERNAL';
      const message = (caught as Error)?.message ?? String(caught);
      error = { code, message };
      problems = [...problems, `${code}: ${message}`];
    } finally {
      // Always, also when the creation failed half-way or the restore was cancelled.
      await engine.dropDatabase(server, scratch).catch((dropError: unknown) => {
        cleanupError = `could not drop scratch database ${scratch} on test server ${serverName}: ${(dropError as Error).message}`;
      });
    }
  } finally {
    await prepared.dispose();
  }

  const result: VerificationResult = {
    formatVersion: verificationFormatVersion,
    artifactId: manifest.artifactId,
    verifiedAt: started.toISOString(),
    server: serverName,
    ok: error === undefined && problems.length === 0,
    durationMs: Math.max(0, Math.round(now().getTime() - started.getTime())),
    tables,
    problems,
    ...(error ? { error } : {}),
    ...(cleanupError ? { cleanupError } : {}),
  };
  await writeVerificationSidecar(deps, entry, result);
  return result;
}

/**
 * PostgreSQL restores without the dump's owners and grants: they name roles of the source server,
 * which the test server need not have (and must not be given the data through), while the check
 * is about tables and rows.
 */
function withoutOwnership(engine: Engine): Engine {
  return {
    ...engine,
    prepareRestore: (request) => engine.prepareRestore({ ...request, withoutOwnership: true }),
  };
}

function cancelledOr(error: unknown, signal: AbortSignal | undefined): unknown {
  if (!signal?.aborted || (isPortYardError(error) && error.code === 'CANCELLED')) return error;
  return new PortYardError('CANCELLED', 'the verification was cancelled', { phase: 'restore', cause: error });
}
