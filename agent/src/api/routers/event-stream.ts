import { EventEmitter, on } from 'node:events';
import type { RunEvent } from '@port-yard/shared';
import type { RunRegistry } from '../../runs/run-registry.ts';

/**
 * Run events for a subscription: first those after `lastEventId` that are still held (a
 * reconnecting client misses nothing recent), then every new one until the client leaves.
 *
 * Live events are buffered from the moment of subscribing, before the replay starts: an event
 * published while a replayed one waits to be sent is delivered after it, not lost. An id above
 * everything held comes from before a restart of the agent (ids start again at 1): everything
 * held is then new to the client and replayed.
 */
export async function* eventStream(
  registry: RunRegistry,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<RunEvent> {
  const emitter = new EventEmitter();
  const unsubscribe = registry.subscribe((event) => emitter.emit('event', event));
  let live: AsyncIterator<unknown[]> | undefined;
  try {
    live = on(emitter, 'event', { signal });
    let last = Number.POSITIVE_INFINITY;
    if (lastEventId) {
      const held = registry.eventsAfter(0);
      const newest = held.at(-1)?.seq ?? 0;
      last = Number(lastEventId) > newest ? 0 : Number(lastEventId);
      for (const event of held) {
        if (event.seq <= last) continue;
        last = event.seq;
        yield event;
      }
    }
    for (;;) {
      const next = await live.next();
      if (next.done) return;
      const runEvent = next.value[0] as RunEvent;
      if (Number.isFinite(last) && runEvent.seq <= last) continue;
      yield runEvent;
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    unsubscribe();
    await live?.return?.();
  }
}
