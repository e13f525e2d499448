import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, query, secrets, startTestApi, trpcCode, type TestApi } from './api-harness.ts';

/** `artifacts.list` pages with a cursor: the last id of the previous page. */
let api: TestApi;
const viewer = bearer(secrets.viewerToken);

beforeAll(async () => {
  api = await startTestApi();
  for (let index = 0; index < 3; index++) await api.putArtifact();
});

afterAll(async () => {
  await api?.close();
});

describe('artifacts.list cursor', () => {
  it('pages through every artifact once', async () => {
    const first = await query(api.url, 'artifacts.list', { limit: 2 }, viewer);
    const { items, nextCursor } = first.body.result.data;
    expect(items).toHaveLength(2);
    const second = await query(api.url, 'artifacts.list', { limit: 2, cursor: nextCursor }, viewer);
    expect(second.body.result.data.items).toHaveLength(1);
    expect(second.body.result.data.nextCursor).toBeUndefined();
  });

  it('a cursor naming no artifact (deleted since) is refused naming the field, not answered with page one again', async () => {
    const result = await query(
      api.url,
      'artifacts.list',
      { limit: 2, cursor: '2020-01-01T00-00-00Z_aaaaaaaaaa' },
      viewer,
    );
    expect(trpcCode(result)).toBe('BAD_REQUEST');
    expect(result.body.error.message).toMatch(/^cursor: /);
  });
});
