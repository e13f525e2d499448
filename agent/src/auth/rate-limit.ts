/**
 * A fixed-window limiter for logins: at most `max` attempts per key (address + user name) per
 * window, so passwords cannot be guessed quickly. Memory is bounded by dropping old windows.
 */
export function createRateLimiter(options: { max: number; windowMs: number; clock?: () => number }) {
  const clock = options.clock ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** Counts an attempt; false when the key is over its limit (the attempt must be refused). */
    attempt(key: string): boolean {
      const now = clock();
      if (windows.size > 10_000)
        for (const [k, w] of windows) if (now - w.start >= options.windowMs) windows.delete(k);
      const current = windows.get(key);
      if (!current || now - current.start >= options.windowMs) {
        windows.set(key, { start: now, count: 1 });
        return true;
      }
      current.count += 1;
      return current.count <= options.max;
    },
  };
}
