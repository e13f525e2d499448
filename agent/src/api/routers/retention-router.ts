import { targetInput } from '@port-yard/shared';
import { operatorProcedure, router, viewerProcedure } from '../trpc.ts';

export const retentionRouter = router({
  /** What retention would delete now, per storage and database, with every reason. */
  plan: viewerProcedure
    .input(targetInput)
    .query(({ ctx, input }) => ctx.services.daemon.agent().planRetention(input.target)),

  applyNow: operatorProcedure.input(targetInput).mutation(async ({ ctx, input }) => {
    const groups = await ctx.services.daemon.agent().applyRetention(input.target);
    const deleted = groups.flatMap((group) => group.deleted);
    ctx.services.audit.record({
      action: 'retention.apply',
      actor: ctx.identity.name,
      via: ctx.identity.via,
      address: ctx.address,
      outcome: groups.some((group) => group.failed.length > 0) ? 'failed' : 'ok',
      target: input.target,
      details: { deleted },
    });
    return groups;
  }),
});
