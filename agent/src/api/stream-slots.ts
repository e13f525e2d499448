import { TRPCError } from '@trpc/server';

/**
 * Live subscriptions (run events, target changes) hold a listener and a buffer each for as long
 * as the client stays. A signed-in viewer could open thousands on one WebSocket; these limits
 * keep that from growing the agent without bound. The console opens two per connection.
 */
export interface StreamLimits {
  /**
   * The counter of one connection (a WebSocket, or one HTTP request for server-sent events) of
   * `holder` (who signed in, or the address of an anonymous caller).
   */
  forConnection(holder?: string): StreamSlots;
}

export interface StreamSlots {
  /** Takes a slot for one subscription; throws TOO_MANY_REQUESTS when none is left. */
  take(): () => void;
}

/** One holder may take a quarter of all: one viewer's many connections cannot take them all. */
export const defaultStreamLimits = { perConnection: 16, perHolder: 128, total: 512 } as const;

export function createStreamLimits(
  limits: { perConnection: number; perHolder: number; total: number } = defaultStreamLimits,
): StreamLimits {
  let total = 0;
  const byHolder = new Map<string, number>();
  return {
    forConnection(holder = '') {
      let open = 0;
      return {
        take() {
          if (open >= limits.perConnection) {
            throw new TRPCError({
              code: 'TOO_MANY_REQUESTS',
              message: `at most ${limits.perConnection} live subscriptions per connection: end one first`,
            });
          }
          const held = byHolder.get(holder) ?? 0;
          if (held >= limits.perHolder) {
            throw new TRPCError({
              code: 'TOO_MANY_REQUESTS',
              message: `at most ${limits.perHolder} live subscriptions per user over all connections: end some first`,
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
          byHolder.set(holder, held + 1);
          let released = false;
          return () => {
            if (released) return;
            released = true;
            open--;
            total--;
            const left = (byHolder.get(holder) ?? 1) - 1;
            if (left > 0) byHolder.set(holder, left);
            else byHolder.delete(holder);
          };
        },
      };
    },
  };
}
