import { expect, it } from 'vitest';
import { createAgentCredentials } from './agent-credentials.ts';

it('keeps URL and token per agent as of the last refresh', async () => {
  const tokens = new Map([['a1', 'pyt_one']]);
  const agents = [{ id: 'a1', name: 'one', url: 'https://one.example', hasToken: true }];
  const credentials = createAgentCredentials({
    list: async () => agents,
    token: async (id) => tokens.get(id),
  });
  expect(credentials.current()).toEqual([]);
  await credentials.refresh();
  expect(credentials.current()).toEqual([{ url: 'https://one.example', token: 'pyt_one' }]);
  agents.push({ id: 'a2', name: 'two', url: 'https://two.example', hasToken: false });
  tokens.delete('a1');
  await credentials.refresh();
  expect(credentials.current()).toEqual([
    { url: 'https://one.example', token: undefined },
    { url: 'https://two.example', token: undefined },
  ]);
});
