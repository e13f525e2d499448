import { afterEach, expect, it, vi } from 'vitest';
import { connectAgent } from './agent-client.ts';

afterEach(() => vi.unstubAllGlobals());

// Followed, an agent's redirect to another agent behind the same origin got that agent's token
// from the desktop app, with the request replayed there.
it('never follows a redirect from an agent', async () => {
  const calls: RequestInit[] = [];
  vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
    calls.push(init);
    return new Response(JSON.stringify({ result: { data: { authMode: 'none' } } }), {
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal(
    'WebSocket',
    class {
      close(): void {}
      addEventListener(): void {}
      removeEventListener(): void {}
    },
  );
  const connection = connectAgent(
    { id: 'a', name: 'a', url: 'http://127.0.0.1:1' },
    { onOpen: () => undefined, onClose: () => undefined },
  );
  try {
    await connection.client.agent.session.query();
  } finally {
    connection.close();
  }
  expect(calls).toEqual([expect.objectContaining({ redirect: 'error', credentials: 'include' })]);
});
