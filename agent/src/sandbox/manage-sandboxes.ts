import type { SandboxList, SandboxSummary } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { dropSandbox } from './drop-sandbox.ts';
import { isSandboxId } from './sandbox-names.ts';
import type { SandboxRecord } from './sandbox-registry.ts';
import {
  openSandboxServer,
  sandboxServerNames,
  sandboxSummary,
  type SandboxServer,
  type SandboxServerDeps,
} from './sandbox-server.ts';
import { sandboxTtlMs } from './sandbox-ttl.ts';

/** Every sandbox on every sandbox test server, oldest first; a server that cannot be read is a problem, not a failure. */
export async function listSandboxes(deps: SandboxServerDeps): Promise<SandboxList> {
  const items: SandboxSummary[] = [];
  const problems: { server: string; message: string }[] = [];
  for (const name of sandboxServerNames(deps)) {
    const server = openSandboxServer(deps, name);
    try {
      items.push(...(await server.registry.list()).map((record) => sandboxSummary(record, server)));
    } catch (error) {
      problems.push({ server: name, message: (error as Error).message });
    }
  }
  return { items, problems };
}

/**
 * The sandbox expires `ttl` from now (which may also shorten its life), at most its target's
 * `sandbox.maxTtl`. Only a ready sandbox: its creation sets the expiry when it ends, and an
 * expiry set meanwhile would be overwritten then, or (a short one) drop it mid-restore.
 */
export async function extendSandbox(
  deps: SandboxServerDeps,
  id: string,
  ttl: string,
): Promise<SandboxSummary> {
  const { server, record } = await findSandbox(deps, id);
  const ttlMs = sandboxTtlMs(ttl, deps.targets[record.target]?.sandbox?.maxTtl);
  if (record.status === 'creating')
    throw new PortYardError('CONFLICT', `sandbox ${id} is still being created: extend it once it is ready`);
  const now = deps.now?.() ?? new Date();
  const expiresAt = new Date(now.getTime() + ttlMs);
  if (!(await server.registry.setExpiry(id, expiresAt)))
    throw new PortYardError('CONFLICT', `sandbox ${id} is being dropped`);
  return sandboxSummary({ ...record, expiresAt }, server);
}

/**
 * Drops the sandbox's database, user and registry row now; returns what it was, `dropped`. When
 * the drop fails, the row stays `dropping` and due, so the next expiry pass retries it.
 */
export async function destroySandbox(deps: SandboxServerDeps, id: string): Promise<SandboxSummary> {
  const { server, record } = await findSandbox(deps, id);
  const now = deps.now?.() ?? new Date();
  if (!(await server.registry.claimForDrop(id, now)))
    throw new PortYardError('NOT_FOUND', `no sandbox ${id}`);
  await dropSandbox(server, id);
  return { ...sandboxSummary(record, server), status: 'dropped' };
}

/**
 * The sandbox's test server and registry row. NOT_FOUND when no sandbox test server has it; when
 * one of them could not be read, its error instead (the sandbox may be there).
 */
async function findSandbox(
  deps: SandboxServerDeps,
  id: string,
): Promise<{ server: SandboxServer; record: SandboxRecord }> {
  if (!isSandboxId(id))
    throw new PortYardError('INVALID_INPUT', `${id} is not a sandbox id (py_sbx_ and 10 hex digits)`);
  let unreadable: unknown;
  for (const name of sandboxServerNames(deps)) {
    const server = openSandboxServer(deps, name);
    try {
      const record = (await server.registry.list()).find((row) => row.id === id);
      if (record) return { server, record };
    } catch (error) {
      unreadable ??= error;
    }
  }
  if (unreadable) throw unreadable;
  throw new PortYardError('NOT_FOUND', `no sandbox ${id} on any sandbox test server`);
}
