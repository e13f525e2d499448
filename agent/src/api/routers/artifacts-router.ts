import { artifactInput, artifactListInput, deleteArtifactInput, PortYardError } from '@port-yard/shared';
import { deleteArtifact, setPinned } from '../../artifacts/artifact-actions.ts';
import { readVerificationSidecar } from '../../verify/verification-sidecar.ts';
import { summarizeArtifacts } from '../artifact-summary.ts';
import { operatorProcedure, router, viewerProcedure } from '../trpc.ts';
import { restoreProcedures } from './restore-procedures.ts';

export const artifactsRouter = router({
  ...restoreProcedures,

  /** Newest first, a page at a time (`cursor`: the last id of the previous page). */
  list: viewerProcedure.input(artifactListInput).query(async ({ ctx, input }) => {
    const agent = ctx.services.daemon.agent();
    const all = agent.catalog
      .list({ target: input.target, database: input.database })
      .filter(
        (entry) =>
          input.storage === undefined ||
          entry.locations.some((location) => location.storage === input.storage),
      );
    const start =
      input.cursor === undefined
        ? 0
        : all.findIndex((entry) => entry.manifest.artifactId === input.cursor) + 1;
    // An unknown cursor (deleted since, or from another filter) must not restart at page one.
    if (input.cursor !== undefined && start === 0)
      throw new PortYardError(
        'INVALID_INPUT',
        `cursor: no artifact ${input.cursor} in this listing (deleted since?): list again from the first page`,
      );
    const page = all.slice(start, start + input.limit);
    const nextCursor = start + input.limit < all.length ? page.at(-1)?.manifest.artifactId : undefined;
    return { items: await summarizeArtifacts(agent, page), nextCursor, total: all.length };
  }),

  get: viewerProcedure.input(artifactInput).query(async ({ ctx, input }) => {
    const agent = ctx.services.daemon.agent();
    const entry = agent.catalog.get(input.id);
    if (!entry) throw new PortYardError('NOT_FOUND', `no artifact ${input.id}`);
    const [summary] = await summarizeArtifacts(agent, [entry]);
    return summary!;
  }),

  /** The newest verification result of an artifact, or null when it was never verified. */
  verification: viewerProcedure.input(artifactInput).query(async ({ ctx, input }) => {
    const agent = ctx.services.daemon.agent();
    const entry = agent.catalog.get(input.id);
    if (!entry) throw new PortYardError('NOT_FOUND', `no artifact ${input.id}`);
    for (const location of entry.locations) {
      const key = location.sidecars?.verification;
      const storage = agent.storages.get(location.storage);
      if (key && storage) return (await readVerificationSidecar(storage, key)) ?? null;
    }
    return null;
  }),

  /** Restore into a scratch database on the target's test server and compare (operator). */
  verify: operatorProcedure.input(artifactInput).mutation(async ({ ctx, input, signal }) => {
    const result = await ctx.services.daemon.agent().verify(input.id, { signal });
    ctx.services.audit.record({
      action: 'artifact.verify',
      actor: ctx.identity.name,
      via: ctx.identity.via,
      address: ctx.address,
      outcome: result.ok ? 'ok' : 'failed',
      artifactId: input.id,
      details: { problems: result.problems.slice(0, 5) },
    });
    return result;
  }),

  delete: operatorProcedure.input(deleteArtifactInput).mutation(async ({ ctx, input }) => {
    const agent = ctx.services.daemon.agent();
    const audit = {
      action: 'artifact.delete',
      actor: ctx.identity.name,
      via: ctx.identity.via,
      address: ctx.address,
      artifactId: input.id,
    };
    try {
      const storages = await deleteArtifact(
        { catalog: agent.catalog, storages: agent.storages },
        input.id,
        input.storage,
      );
      ctx.services.audit.record({ ...audit, outcome: 'ok', details: { storages } });
      return { deletedFrom: storages };
    } catch (error) {
      ctx.services.audit.record({
        ...audit,
        outcome: 'failed',
        details: { error: (error as Error).message },
      });
      throw error;
    }
  }),

  pin: operatorProcedure.input(artifactInput).mutation(async ({ ctx, input }) => {
    const agent = ctx.services.daemon.agent();
    await setPinned({ catalog: agent.catalog, storages: agent.storages }, input.id, true, ctx.identity.name);
    ctx.services.audit.record({
      action: 'artifact.pin',
      actor: ctx.identity.name,
      via: ctx.identity.via,
      address: ctx.address,
      outcome: 'ok',
      artifactId: input.id,
    });
    return { pinned: true };
  }),

  unpin: operatorProcedure.input(artifactInput).mutation(async ({ ctx, input }) => {
    const agent = ctx.services.daemon.agent();
    await setPinned({ catalog: agent.catalog, storages: agent.storages }, input.id, false, ctx.identity.name);
    ctx.services.audit.record({
      action: 'artifact.unpin',
      actor: ctx.identity.name,
      via: ctx.identity.via,
      address: ctx.address,
      outcome: 'ok',
      artifactId: input.id,
    });
    return { pinned: false };
  }),
});
