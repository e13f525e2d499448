/**
 * `work` run one call at a time, each after the one before has settled: two reloads asked for
 * at once (SIGHUP twice, or SIGHUP and the API) would otherwise both read the file and the one
 * whose start took longer (a slower catalog read) would be swapped in last, an older config
 * winning over the file's. In order, the last call reads the file last, and its config stays.
 */
export function oneAtATime<T>(work: () => Promise<T>): () => Promise<T> {
  let previous: Promise<unknown> = Promise.resolve();
  return () => {
    const next = previous.then(work, work);
    previous = next.catch(() => undefined);
    return next;
  };
}
