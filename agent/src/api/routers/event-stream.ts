import { on } from 'node:events';
import { EventEmitter } from 'node:events';
import type { RunEvent } from '@port-yard/shared';
import type { RunRegistry } from '../../runs/run-registry.ts';

/**
 * Run events for a subscription: first those after `lastEventId` that are still held (a
 * reconnecting client misses nothing recent), then every new one until the client leaves.
 */
export async function* eventStream(
  registry: RunRegistry,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<RunEvent> {
  const emitter = new EventEmitter();
  const unsubscribe = registry.subscribe((event) => emitter.emit('event', event));
  try {
    let last = lastEventId ? Number(lastEventId) : Number.POSITIVE_INFINITY;
    if (Number.isFinite(last)) {
      for (const event of registry.eventsAfter(last)) {
        last = event.seq;
        yield event;
      }
    }
    for await (const [event] of on(emitter, 'event', { signal })) {
      const runEvent = event as RunEvent;
      if (Number.isFinite(last) && runEvent.seq <= last) continue;
      yield runEvent;
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    unsubscribe();
  }
}
