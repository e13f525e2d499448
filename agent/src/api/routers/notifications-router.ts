import { notificationsRecentInput, notificationsTestInput } from '@port-yard/shared';
import { operatorProcedure, router, viewerProcedure } from '../trpc.ts';

export const notificationsRouter = router({
  /** The newest deliveries (channel, event, target, ok or error, attempts, time): no URL or secret. */
  recent: viewerProcedure
    .input(notificationsRecentInput)
    .query(({ ctx, input }) => ctx.services.daemon.notifications.recent(input.limit)),

  /** Sends a test notification to one channel and answers with the delivery (ok or its error). */
  test: operatorProcedure.input(notificationsTestInput).mutation(async ({ ctx, input }) => {
    const delivery = await ctx.services.daemon.notifications.test(input.channel);
    ctx.services.audit.record({
      action: 'notifications.test',
      actor: ctx.identity.name,
      via: ctx.identity.via,
      address: ctx.address,
      outcome: delivery.ok ? 'ok' : 'failed',
      details: { channel: input.channel, attempts: delivery.attempts, error: delivery.error ?? null },
    });
    return delivery;
  }),
});
