import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, mutate, query, secrets, startTestApi, trpcCode, type TestApi } from './api-harness.ts';

/**
 * `constructor` is a valid target name. Before the config's maps had no prototype, asking for a
 * target of that name that the config does not hold found Object's constructor instead: runs.start
 * queued a backup of it and targets.get made up its status. It must be unknown like any other.
 */
let api: TestApi;
const operator = bearer(secrets.operatorToken);

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

const procedures = [
  ['query', 'targets.get'],
  ['mutation', 'runs.start'],
  ['query', 'retention.plan'],
  ['mutation', 'retention.applyNow'],
] as const;

it.for(procedures)(
  '%s %s of a target named constructor → NOT_FOUND, as for any unknown name',
  async ([kind, path]) => {
    const call = (target: string) => (kind === 'query' ? query : mutate)(api.url, path, { target }, operator);
    const [unknown, prototypeName] = [await call('nope'), await call('constructor')];
    expect(trpcCode(unknown)).toBe('NOT_FOUND');
    expect(trpcCode(prototypeName)).toBe('NOT_FOUND');
    expect(prototypeName.body.error.message).toBe(unknown.body.error.message.replace('nope', 'constructor'));
  },
);

it('no run was queued for it', async () => {
  const runs = await query(api.url, 'runs.list', {}, operator);
  expect(runs.body.result.data.map((run: { target: string }) => run.target)).not.toContain('constructor');
});
