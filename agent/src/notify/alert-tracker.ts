/**
 * When a problem that keeps happening is worth a notification: the first time, when it changes
 * (a failing backup becomes a partial one), and then once per reminder interval while it goes on;
 * the end of a problem is reported once. The "when" only: pure, with the time passed in.
 *
 * State lives in memory (the agent keeps no database): after a restart, a problem still going on
 * is notified once more, and an end seen first after a restart is not reported.
 */
export interface AlertTracker {
  /** The problem `kind` was seen again (or for the first time) under `key` at `now`. */
  problem(key: string, kind: string, now: Date): AlertDecision;
  /** The problem under `key` is over: what it was, or undefined when there was none. */
  clear(key: string): ActiveAlert | undefined;
  active(key: string): ActiveAlert | undefined;
}

export interface ActiveAlert {
  readonly kind: string;
  /** When it was first seen. */
  readonly since: Date;
  /** How often it was seen, the first time included. */
  readonly count: number;
}

export interface AlertDecision extends ActiveAlert {
  readonly notify: boolean;
  /** Notified again only because the interval passed. */
  readonly reminder: boolean;
}

interface State extends ActiveAlert {
  readonly notifiedAt: Date;
}

/** How early a reminder may come (at most 5% of the interval). */
const reminderSlackMs = 5 * 60_000;

export function createAlertTracker(options: { readonly reminderIntervalMs: () => number }): AlertTracker {
  const states = new Map<string, State>();
  return {
    problem(key, kind, now) {
      const previous = states.get(key);
      if (!previous || previous.kind !== kind) {
        const state = {
          kind,
          since: previous?.since ?? now,
          count: (previous?.count ?? 0) + 1,
          notifiedAt: now,
        };
        states.set(key, state);
        return { ...alert(state), notify: true, reminder: false };
      }
      const interval = options.reminderIntervalMs();
      // A little early is due: a daily schedule failing at 03:00:03 after 03:00:05 still reminds daily.
      const slack = Math.min(reminderSlackMs, interval * 0.05);
      const due = now.getTime() - previous.notifiedAt.getTime() >= interval - slack;
      const state = { ...previous, count: previous.count + 1, notifiedAt: due ? now : previous.notifiedAt };
      states.set(key, state);
      return { ...alert(state), notify: due, reminder: due };
    },
    clear(key) {
      const state = states.get(key);
      states.delete(key);
      return state && alert(state);
    },
    active(key) {
      const state = states.get(key);
      return state && alert(state);
    },
  };
}

function alert(state: State): ActiveAlert {
  return { kind: state.kind, since: state.since, count: state.count };
}
