import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStreamLimits } from '../../src/api/stream-slots.ts';
import { bearer, openWs, secrets, startTestApi, subscribe, type TestApi } from './api-harness.ts';

/**
 * Live subscriptions are limited per connection, over the real WebSocket endpoint: the one past
 * the limit is refused with TOO_MANY_REQUESTS, and ending one frees its slot.
 */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

describe('live subscriptions per connection', () => {
  it(`allows ${defaultStreamLimits.perConnection}, refuses the next, and frees a slot when one ends`, async () => {
    const connection = await openWs(api.wsUrl, bearer(secrets.viewerToken));
    try {
      const opened: number[] = [];
      for (let i = 0; i < defaultStreamLimits.perConnection; i++) {
        const path = i % 2 === 0 ? 'runs.events' : 'targets.changes';
        const { id, first } = await subscribe(connection, path, {});
        expect(first.result?.type).toBe('started');
        opened.push(id);
      }
      const refused = await subscribe(connection, 'runs.events', {});
      const error =
        refused.first.error ?? (await connection.next((m) => m.id === refused.id && m.error)).error;
      expect(error.data.code).toBe('TOO_MANY_REQUESTS');
      expect(error.message).toContain(`at most ${defaultStreamLimits.perConnection} live subscriptions`);

      connection.send({ id: opened[0], method: 'subscription.stop' });
      await connection.next((m) => m.id === opened[0] && m.result?.type === 'stopped');
      // The slot is freed once the stream's generator has ended: give it a moment.
      let again = await subscribe(connection, 'runs.events', {});
      for (let tries = 0; !again.first.result && tries < 20; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        again = await subscribe(connection, 'runs.events', {});
      }
      expect(again.first.result?.type).toBe('started');
    } finally {
      await connection.close();
    }
  });

  it('gives a new connection its own slots', async () => {
    const connection = await openWs(api.wsUrl, bearer(secrets.viewerToken));
    try {
      const { first } = await subscribe(connection, 'runs.events', {});
      expect(first.result?.type).toBe('started');
    } finally {
      await connection.close();
    }
  });

  // One viewer's 32 connections took all 512 slots, and everyone's live updates were refused.
  it(`shares ${defaultStreamLimits.perHolder} among one token's connections, and leaves others theirs`, async () => {
    const { perConnection, perHolder } = defaultStreamLimits;
    const connections = [];
    try {
      for (let opened = 0; opened < perHolder; opened += perConnection) {
        const connection = await openWs(api.wsUrl, bearer(secrets.viewerToken));
        connections.push(connection);
        for (let i = 0; i < perConnection; i++) await subscribe(connection, 'runs.events', {});
      }
      const more = await openWs(api.wsUrl, bearer(secrets.viewerToken));
      connections.push(more);
      const refused = await subscribe(more, 'runs.events', {});
      const error = refused.first.error ?? (await more.next((m) => m.id === refused.id && m.error)).error;
      expect(error.data.code).toBe('TOO_MANY_REQUESTS');
      expect(error.message).toContain(`at most ${perHolder} live subscriptions per user`);
      const other = await openWs(api.wsUrl, bearer(secrets.operatorToken));
      connections.push(other);
      expect((await subscribe(other, 'runs.events', {})).first.result?.type).toBe('started');
    } finally {
      await Promise.all(connections.map((connection) => connection.close()));
    }
  });
});
