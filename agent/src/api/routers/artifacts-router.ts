import {
  artifactInput,
  artifactListInput,
  deleteArtifactInput,
  PortYardError,
  type ArtifactSummary,
} from '@port-yard/shared';
import { deleteArtifact, setPinned } from '../../artifacts/artifact-actions.ts';
import { isPinned, type CatalogEntry } from '../../catalog/catalog.ts';
import { operatorProcedure, router, viewerProcedure } from '../trpc.ts';

function summary(entry: CatalogEntry): ArtifactSummary {
  return {
    manifest: entry.manifest,
    storages: entry.locations.map((location) => location.storage),
    pinned: isPinned(entry),
  };
}

export const artifactsRouter = router({
  /** Newest first, a page at a time (`cursor`: the last id of the previous page). */
  list: viewerProcedure.input(artifactListInput).query(({ ctx, input }) => {
    const all = ctx.services.daemon
      .agent()
      .catalog.list({ target: input.target, database: input.database })
      .filter(
        (entry) =>
          input.storage === undefined ||
          entry.locations.some((location) => location.storage === input.storage),
      );
    const start =
      input.cursor === undefined
        ? 0
        : all.findIndex((entry) => entry.manifest.artifactId === input.cursor) + 1;
    const page = all.slice(start, start + input.limit);
    const nextCursor = start + input.limit < all.length ? page.at(-1)?.manifest.artifactId : undefined;
    return { items: page.map(summary), nextCursor, total: all.length };
  }),

  get: viewerProcedure.input(artifactInput).query(({ ctx, input }) => {
    const entry = ctx.services.daemon.agent().catalog.get(input.id);
    if (!entry) throw new PortYardError('NOT_FOUND', `no artifact ${input.id}`);
    return summary(entry);
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
