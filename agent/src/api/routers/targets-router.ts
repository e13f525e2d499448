import { tracked } from '@trpc/server';
import { eventsInput, PortYardError, targetInput } from '@port-yard/shared';
import { router, viewerProcedure } from '../trpc.ts';
import { eventStream } from './event-stream.ts';

export const targetsRouter = router({
  list: viewerProcedure.query(({ ctx }) => ctx.services.daemon.status()),

  get: viewerProcedure.input(targetInput).query(({ ctx, input }) => {
    const [status] = ctx.services.daemon.status([input.target]);
    if (!status) throw new PortYardError('NOT_FOUND', `no target ${input.target}`);
    return status;
  }),

  /** The status of a target each time one of its runs changes (tracked: resumable). */
  changes: viewerProcedure.input(eventsInput).subscription(async function* ({ ctx, input, signal }) {
    const { registry } = ctx.services.daemon;
    const release = ctx.streams?.take();
    try {
      for await (const event of eventStream(registry, input.lastEventId, signal)) {
        const [status] = ctx.services.daemon.status([event.run.target]);
        if (status) yield tracked(String(event.seq), status);
      }
    } finally {
      release?.();
    }
  }),
});
