import { PortYardError } from '@port-yard/shared';

/** Refused because the agent is busy checking other sign-ins: HTTP 503 with Retry-After. */
export class SignInBusy extends PortYardError {
  constructor() {
    super('AUTH_FAILED', 'the agent is busy checking other sign-ins: try again in a few seconds');
  }
}

export interface HashChecks {
  /**
   * Runs `check` once a slot is free. Rejects with SignInBusy when `queued` checks already wait,
   * and with CANCELLED when `signal` aborts while this one waits (then it never runs). A check
   * that has started runs to its end: argon2 cannot be stopped halfway.
   */
  run<T>(check: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Checks running now, and waiting for a slot. */
  readonly running: number;
  readonly waiting: number;
}

/**
 * Two at a time leaves libuv's other two threads (of four) to file I/O, downloads included;
 * 32 waiting is at most about a second's wait at argon2id's ~50 ms.
 */
export const hashCheckDefaults = { concurrent: 2, queued: 32 };

/**
 * The slots password and token hash checks run in. argon2id runs on libuv's threadpool, which
 * file I/O shares: unlimited, a flood of sign-ins from clients that hang up at once (new user
 * names each time, so no per-user limit applies) starved every download. Waiting checks whose
 * client has left are dropped, not run.
 */
export function createHashChecks(options: { concurrent: number; queued: number }): HashChecks {
  let running = 0;
  const waiting: (() => void)[] = [];
  // A freed slot passes straight to the next waiting check: a check arriving meanwhile must not
  // slip in ahead of it and run one more than `concurrent`.
  const release = (): void => {
    const turn = waiting.shift();
    if (turn) turn();
    else running -= 1;
  };
  return {
    get running() {
      return running;
    },
    get waiting() {
      return waiting.length;
    },
    async run(check, signal) {
      if (signal?.aborted) throw clientLeft();
      if (running < options.concurrent) running += 1;
      else {
        if (waiting.length >= options.queued) throw new SignInBusy();
        await new Promise<void>((start, cancel) => {
          const leave = (): void => {
            waiting.splice(waiting.indexOf(turn), 1);
            cancel(clientLeft());
          };
          const turn = (): void => {
            signal?.removeEventListener('abort', leave);
            start();
          };
          waiting.push(turn);
          signal?.addEventListener('abort', leave, { once: true });
        });
      }
      try {
        return await check();
      } finally {
        release();
      }
    },
  };
}

function clientLeft(): PortYardError {
  return new PortYardError('CANCELLED', 'the client left before its sign-in was checked');
}
