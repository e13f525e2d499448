import { access, constants } from 'node:fs/promises';
import type { SandboxCredentials } from '@port-yard/shared';
import { PortYardError, isPortYardError } from '@port-yard/shared';
import { artifactWithTarget, testServerFor } from '../artifacts/artifact-target.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { Engine } from '../engines/engine.ts';
import { prepareArtifactRestore } from '../restore/prepare-artifact-restore.ts';
import type { Storage } from '../storage/storage.ts';
import { dropSandbox } from './drop-sandbox.ts';
import { runMaskingSql } from './run-masking-sql.ts';
import { newSandboxId, newSandboxPassword } from './sandbox-names.ts';
import type { SandboxRecord } from './sandbox-registry.ts';
import {
  openSandboxServer,
  sandboxSummary,
  type SandboxServer,
  type SandboxServerDeps,
} from './sandbox-server.ts';
import { sandboxTtlMs } from './sandbox-ttl.ts';
import { sandboxUri } from './sandbox-uri.ts';

export interface CreateSandboxDeps extends SandboxServerDeps {
  readonly catalog: Catalog;
  readonly storages: ReadonlyMap<string, Storage>;
}

export interface CreateSandboxRequest {
  readonly artifactId: string;
  /** How long it lives once ready; the target's `sandbox.ttl` when omitted. */
  readonly ttl?: string;
  /** Who asked (an API identity, `cli:<os user>`): recorded in the registry. */
  readonly createdBy?: string;
  readonly signal?: AbortSignal;
}

/**
 * Deploys an artifact to its target's sandbox test server (`sandbox.server`) as a new database
 * `py_sbx_<10 hex>` with a user of the same name and a random password that can reach only that
 * database, and returns the credentials: the only time the password is ever shown.
 *
 * Steps: registry row (`creating`) → CREATE DATABASE (PostgreSQL: PUBLIC loses CONNECT) →
 * restore, sha256-checked (PostgreSQL: `--no-owner --no-privileges`) → masking SQL (as the admin
 * user) → CREATE USER and grants → row `ready`, expiring `ttl` from then. When any step fails or
 * is cancelled, the database, the user and the row are dropped again; if that cleanup fails too,
 * the row stays, marked expired, and the next expiry pass retries it. Bad requests (NOT_FOUND,
 * INVALID_INPUT) are rejected before anything is created.
 */
/** How long a sandbox may stay `creating` before the expiry pass treats it as abandoned. */
export const creatingGraceMs = 24 * 3_600_000;

export async function createSandbox(
  deps: CreateSandboxDeps,
  request: CreateSandboxRequest,
): Promise<SandboxCredentials> {
  const now = deps.now ?? (() => new Date());
  const { entry, manifest, target } = artifactWithTarget(deps.catalog, deps.targets, request.artifactId);
  const { name: serverName } = testServerFor(deps.testServers, manifest, {
    key: 'sandbox.server',
    name: target.sandbox?.server,
    verb: 'deploys sandboxes to',
  });
  const settings = target.sandbox!;
  const server = openSandboxServer(deps, serverName);
  const ttlMs = sandboxTtlMs(request.ttl ?? settings.ttl, settings.maxTtl);
  if (settings.maskingSql)
    await access(settings.maskingSql, constants.R_OK).catch((error: unknown) => {
      throw new PortYardError(
        'INVALID_INPUT',
        `the masking SQL of target ${manifest.target} cannot be read: ${(error as Error).message}`,
      );
    });
  if (request.signal?.aborted) throw new PortYardError('CANCELLED', 'the sandbox creation was cancelled');

  await server.registry.ensure();
  const id = newSandboxId();
  const password = newSandboxPassword();
  const prepared = await prepareArtifactRestore({
    entry,
    storages: deps.storages,
    target,
    engine: withoutOwnership(server.engine),
    connection: server.config,
    database: id,
  });
  const createdAt = now();
  let record: SandboxRecord = {
    id,
    target: manifest.target,
    artifactId: manifest.artifactId,
    database: id,
    user: id,
    createdAt,
    // While it is being created, the expiry pass must leave it alone however long the restore
    // takes; only a creation abandoned by a crashed agent is swept (after a day at least).
    expiresAt: new Date(createdAt.getTime() + Math.max(ttlMs, creatingGraceMs)),
    createdBy: request.createdBy ?? 'unknown',
    status: 'creating',
  };
  try {
    await server.registry.insert(record);
    try {
      // Made like the dumped database (its encoding and collation), where the test server can.
      await server.engine.createDatabase(server.config, id, manifest.databaseOptions);
      await server.accounts.isolateDatabase(id);
      await prepared.run({ signal: request.signal });
      request.signal?.throwIfAborted();
      if (settings.maskingSql)
        await runMaskingSql({
          engine: server.engine,
          family: server.family,
          connection: server.config,
          database: id,
          file: settings.maskingSql,
          signal: request.signal,
        });
      await server.accounts.createUser(id, password);
      await server.accounts.grantDatabase(id, id);
      request.signal?.throwIfAborted();
      const expiresAt = new Date(now().getTime() + ttlMs);
      if (!(await server.registry.markReady(id, expiresAt)))
        throw new PortYardError('CONFLICT', `sandbox ${id} was destroyed while it was being created`);
      record = { ...record, expiresAt, status: 'ready' };
    } catch (error) {
      await cleanUp(server, id, now());
      throw cancelledOr(error, request.signal);
    }
  } finally {
    await prepared.dispose();
  }
  return {
    ...sandboxSummary(record, server),
    password,
    uri: sandboxUri({
      family: server.family,
      user: id,
      password,
      host: server.host,
      port: server.port,
      database: id,
    }),
  };
}

/** PostgreSQL restores without the dump's owners and grants: the admin owns it all, then hands it over. */
function withoutOwnership(engine: Engine): Engine {
  return {
    ...engine,
    prepareRestore: (request) => engine.prepareRestore({ ...request, withoutOwnership: true }),
  };
}

/** Drops what a failed creation made; never masks the creation's own error. */
async function cleanUp(server: SandboxServer, id: string, now: Date): Promise<void> {
  try {
    await dropSandbox(server, id);
  } catch {
    // Left for the expiry pass: the row (if it was written) is now dropping and due.
    await server.registry.claimForDrop(id, now).catch(() => undefined);
  }
}

function cancelledOr(error: unknown, signal: AbortSignal | undefined): unknown {
  if (!signal?.aborted || (isPortYardError(error) && error.code === 'CANCELLED')) return error;
  return new PortYardError('CANCELLED', 'the sandbox creation was cancelled', { cause: error });
}
