import { sandboxCreateInput, sandboxExtendInput, sandboxIdInput } from '@port-yard/shared';
import type { AuditRecord } from '../../audit/audit-log.ts';
import type { ApiContext } from '../api-context.ts';
import type { Identity } from '../../auth/identity.ts';
import { operatorProcedure, router, viewerProcedure } from '../trpc.ts';

type Caller = ApiContext & { readonly identity: Identity };

/** Runs an operator's sandbox action and audits it, ok or failed (never with the password). */
async function audited<T>(
  ctx: Caller,
  base: Pick<AuditRecord, 'action' | 'artifactId' | 'details'>,
  action: () => Promise<T>,
  details: (result: T) => Record<string, unknown>,
): Promise<T> {
  const who = { actor: ctx.identity.name, via: ctx.identity.via, address: ctx.address };
  try {
    const result = await action();
    ctx.services.audit.record({
      ...base,
      ...who,
      outcome: 'ok',
      details: { ...base.details, ...details(result) },
    });
    return result;
  } catch (error) {
    ctx.services.audit.record({
      ...base,
      ...who,
      outcome: 'failed',
      details: { ...base.details, error: (error as Error).message },
    });
    throw error;
  }
}

export const sandboxesRouter = router({
  /** Every sandbox on every sandbox test server, without passwords; unreadable servers as problems. */
  list: viewerProcedure.query(({ ctx }) => ctx.services.daemon.agent().listSandboxes()),

  /** Deploys an artifact as a sandbox: the answer is the only place its password ever appears. */
  create: operatorProcedure.input(sandboxCreateInput).mutation(({ ctx, input, signal }) =>
    audited(
      ctx,
      { action: 'sandbox.create', artifactId: input.artifactId, details: { ttl: input.ttl ?? null } },
      () =>
        ctx.services.daemon.agent().createSandbox({
          artifactId: input.artifactId,
          ttl: input.ttl,
          createdBy: ctx.identity.name,
          signal,
        }),
      (created) => ({ sandbox: created.id, server: created.server, expiresAt: created.expiresAt }),
    ),
  ),

  /** The sandbox then expires `ttl` from now. */
  extend: operatorProcedure.input(sandboxExtendInput).mutation(({ ctx, input }) =>
    audited(
      ctx,
      { action: 'sandbox.extend', details: { sandbox: input.id, ttl: input.ttl } },
      () => ctx.services.daemon.agent().extendSandbox(input.id, input.ttl),
      (extended) => ({ expiresAt: extended.expiresAt }),
    ),
  ),

  destroy: operatorProcedure.input(sandboxIdInput).mutation(({ ctx, input }) =>
    audited(
      ctx,
      { action: 'sandbox.destroy', details: { sandbox: input.id } },
      () => ctx.services.daemon.agent().destroySandbox(input.id),
      (destroyed) => ({ server: destroyed.server, artifactId: destroyed.artifactId }),
    ),
  ),
});
