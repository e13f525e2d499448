import { TRPCError } from '@trpc/server';

/**
 * Live subscriptions (run events, target changes) hold a listener and a buffer each for as long
 * as the client stays. A signed-in viewer could open thousands on one WebSocket; these limits
 * keep that from growing the agent without bound. The console opens two per connection.
 */
export interface StreamLimits {
  /** The counter of one connection (a WebSocket, or one HTTP request for server-sent events). */
  forConnection(): StreamSlots;
}

export interface StreamSlots {
  /** Takes a slot for one subscription; throws TOO_MANY_REQUESTS when none is left. */
  take(): () => void;
}

export const defaultStreamLimits = { perConnection: 16, total: 512 } as const;

export function createStreamLimits(
  limits: { perConnection: number; total: number } = defaultStreamLimits,
): StreamLimits {
  let total = 0;
  return {
    forConnection() {
      let open = 0;
      return {
        take() {
          if (open >= limits.perConnection) {
            throw new TRPCError({
              code: 'TOO_MANY_REQUESTS',
              message: `at most ${limits.perConnection} live subscriptions per connection: end one first`,
            });
          }
          if (total >= limits.total) {
            throw new TRPCError({
              code: 'TOO_MANY_REQUESTS',
              message: `the agent holds ${limits.total} live subscriptions, its most: try again later`,
            });
          }
          open++;
          total++;
          let released = false;
          return () => {
            if (released) return;
            released = true;
            open--;
            total--;
          };
        },
      };
    },
  };
}
