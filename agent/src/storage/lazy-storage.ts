import type { Storage } from './storage.ts';

/**
 * A storage whose backend module is imported on first use. The S3 SDK and ssh2 cost tens of MB
 * and a noticeable part of start-up; a run that never touches a backend should not pay for it.
 */
export function lazyStorage(name: string, location: string, load: () => Promise<Storage>): Storage {
  let loading: Promise<Storage> | undefined;
  const backend = (): Promise<Storage> => (loading ??= load());
  return {
    name,
    location,
    put: async (key, body, options) => (await backend()).put(key, body, options),
    get: async (key, options) => (await backend()).get(key, options),
    stat: async (key) => (await backend()).stat(key),
    async *list(prefix) {
      yield* (await backend()).list(prefix);
    },
    delete: async (key) => (await backend()).delete(key),
    sweepTemporary: async (olderThanMs) => (await backend()).sweepTemporary(olderThanMs),
    async close() {
      if (loading) await (await loading).close?.();
    },
  };
}
