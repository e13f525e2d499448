import { tracked } from '@trpc/server';
import { eventsInput, PortYardError, runIdInput, runListInput, targetInput } from '@port-yard/shared';
import { operatorProcedure, router, viewerProcedure } from '../trpc.ts';
import { eventStream } from './event-stream.ts';

export const runsRouter = router({
  list: viewerProcedure
    .input(runListInput)
    .query(({ ctx, input }) =>
      ctx.services.daemon.registry.list({ target: input.target }).slice(0, input.limit),
    ),

  get: viewerProcedure.input(runIdInput).query(({ ctx, input }) => {
    const run = ctx.services.daemon.registry.get(input.runId);
    if (!run) throw new PortYardError('NOT_FOUND', `no run ${input.runId}`);
    return run;
  }),

  /** Back up a target now (a manual run: never skipped as unchanged). */
  start: operatorProcedure.input(targetInput).mutation(({ ctx, input }) => {
    if (!ctx.services.daemon.agent().config.targets[input.target])
      throw new PortYardError('NOT_FOUND', `no target ${input.target}`);
    const run = ctx.services.daemon.runNow(input.target);
    ctx.services.audit.record({
      action: 'run.start',
      actor: ctx.identity.name,
      via: ctx.identity.via,
      address: ctx.address,
      outcome: run.status === 'refused' ? 'failed' : 'ok',
      target: input.target,
      details: { runId: run.id, status: run.status },
    });
    return run;
  }),

  cancel: operatorProcedure.input(runIdInput).mutation(({ ctx, input }) => {
    const run = ctx.services.daemon.registry.get(input.runId);
    if (!run) throw new PortYardError('NOT_FOUND', `no run ${input.runId}`);
    const cancelled = ctx.services.daemon.cancel(input.runId);
    ctx.services.audit.record({
      action: 'run.cancel',
      actor: ctx.identity.name,
      via: ctx.identity.via,
      address: ctx.address,
      outcome: cancelled ? 'ok' : 'failed',
      target: run.target,
      details: { runId: run.id },
    });
    return { cancelled };
  }),

  /** Every change of every run, live (progress included), resumable with tracked ids. */
  events: viewerProcedure.input(eventsInput).subscription(async function* ({ ctx, input, signal }) {
    const release = ctx.streams?.take();
    try {
      for await (const event of eventStream(ctx.services.daemon.registry, input.lastEventId, signal)) {
        yield tracked(String(event.seq), event.run);
      }
    } finally {
      release?.();
    }
  }),
});
