import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, query, secrets, startTestApi, type TestApi } from './api-harness.ts';

/** The API's answers (the redacted config, runs, plans) are never kept by a browser or a proxy. */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api?.close();
});

// The plain routes said no-store; the tRPC answers said nothing, so a shared browser could keep them.
it('answers every procedure with Cache-Control: no-store, refusals too', async () => {
  const info = await query(api.url, 'agent.info', undefined, bearer(secrets.viewerToken));
  const refused = await query(api.url, 'agent.info');
  expect(info.status).toBe(200);
  expect(refused.status).toBe(401);
  for (const answer of [info, refused]) expect(answer.headers.get('cache-control')).toBe('no-store');
});
