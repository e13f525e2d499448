import { describe, expect, it } from 'vitest';
import { eventStream } from '../../src/api/routers/event-stream.ts';
import { createRunRegistry } from '../../src/runs/run-registry.ts';

/**
 * The generator behind runs.events and targets.changes, without the network, where the timing
 * can be forced: resuming never loses or repeats an event.
 */
describe('eventStream', () => {
  it('an event published while a replayed one waits to be sent is delivered, once', async () => {
    const registry = createRunRegistry();
    const run = registry.create('shop', 'manual');
    registry.update(run.id, { status: 'running' }); // seq 2
    registry.update(run.id, { status: 'running', message: 'half way' }); // seq 3
    const abort = new AbortController();
    const stream = eventStream(registry, '1', abort.signal);
    expect((await stream.next()).value?.seq).toBe(2);
    // the client has not asked for the next event yet: the run moves on meanwhile
    registry.update(run.id, { status: 'succeeded' }); // seq 4
    expect((await stream.next()).value?.seq).toBe(3);
    expect((await stream.next()).value?.seq).toBe(4);
    registry.update(run.id, { message: 'later' }); // seq 5
    expect((await stream.next()).value?.seq).toBe(5);
    abort.abort();
    expect((await stream.next()).done).toBe(true);
  });

  it('without lastEventId: only what happens from now on', async () => {
    const registry = createRunRegistry();
    const run = registry.create('shop', 'manual');
    const abort = new AbortController();
    const stream = eventStream(registry, undefined, abort.signal);
    const first = stream.next();
    registry.update(run.id, { status: 'running' });
    expect((await first).value?.seq).toBe(2);
    abort.abort();
    expect((await stream.next()).done).toBe(true);
  });

  it('a lastEventId from before a restart (above every id held) replays what is held, then goes live', async () => {
    const registry = createRunRegistry();
    const run = registry.create('shop', 'manual'); // seq 1
    const abort = new AbortController();
    const stream = eventStream(registry, '4711', abort.signal);
    expect((await stream.next()).value?.seq).toBe(1);
    const next = stream.next();
    registry.update(run.id, { status: 'running' });
    expect((await next).value?.seq).toBe(2);
    abort.abort();
  });

  it('leaving stops listening to the registry', async () => {
    const registry = createRunRegistry();
    const run = registry.create('shop', 'manual');
    const abort = new AbortController();
    const stream = eventStream(registry, '0', abort.signal);
    await stream.next();
    await stream.return(undefined);
    // no listener left: publishing must not throw or buffer anything for the closed stream
    registry.update(run.id, { status: 'running' });
    expect((await stream.next()).done).toBe(true);
  });
});
