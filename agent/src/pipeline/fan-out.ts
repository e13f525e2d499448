import { PassThrough, Writable } from 'node:stream';

/**
 * One writable that copies every chunk to several branches with back-pressure: a chunk is
 * accepted only when every live branch took it, so the slowest destination sets the pace and
 * memory stays bounded. A branch destroyed by its reader (a destination that failed) is dropped
 * and the others go on; only when no branch is left does the sink fail. Ending or destroying the
 * sink ends or destroys every branch.
 */
/** The sink's error once every branch is gone; the branches' own errors say why. */
export class NoDestinationLeft extends Error {
  constructor() {
    super('every destination failed');
    this.name = 'NoDestinationLeft';
  }
}

/** A branch that took nothing for `stallMs` while another could go on: given up. */
export class DestinationStalled extends Error {
  constructor(stallMs: number) {
    const took =
      stallMs % 60_000 === 0
        ? `${stallMs / 60_000} min`
        : stallMs >= 1000
          ? `${Math.round(stallMs / 1000)} s`
          : `${stallMs} ms`;
    super(
      `the destination took no data for ${took} while the others went on, and was given up (a hung mount or server?)`,
    );
    this.name = 'DestinationStalled';
  }
}

/**
 * How long a branch may take no data while another one could go on (an NFS share that hangs, a
 * server that stops reading but keeps its connection): after that it is dropped, so that the
 * other destinations still get their copy (the run is partial), instead of all of them waiting
 * for the target's timeout and failing together. Generous: an S3 upload does not read while it
 * sends a part (8 MiB, a few at once), which on a slow link takes tens of seconds.
 */
export const stallMs = 5 * 60_000;

export function fanOut(
  count: number,
  options: { readonly stallMs?: number } = {},
): { sink: Writable; branches: PassThrough[] } {
  const giveUpAfterMs = options.stallMs ?? stallMs;
  const branches = Array.from({ length: count }, () =>
    // A branch's error is its storage's to report (its put fails with it). Until that storage
    // reads it (a folder on a hung share is still being checked), nobody else listens: a failed
    // dump or a cancel then would be an unhandled error, which ends the agent.
    new PassThrough({ highWaterMark: 1 << 20 }).on('error', () => undefined),
  );
  const live = (): PassThrough[] => branches.filter((branch) => !branch.destroyed);
  const noneLeft = (): Error => new NoDestinationLeft();
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      const targets = live();
      if (targets.length === 0) return callback(noneLeft());
      const waiting = targets.filter((branch) => !branch.write(chunk));
      if (waiting.length === 0) return callback();
      let left = waiting.length;
      const drained = new Set<PassThrough>();
      // Only while some branch could go on: when every one waits, the cause is not one of them.
      const stall = setTimeout(() => {
        const stalled = waiting.filter((branch) => !drained.has(branch) && !branch.destroyed);
        if (live().some((branch) => !stalled.includes(branch)))
          for (const branch of stalled) branch.destroy(new DestinationStalled(giveUpAfterMs));
      }, giveUpAfterMs);
      stall.unref();
      for (const branch of waiting) {
        const settle = (): void => {
          branch.off('drain', settle).off('close', settle);
          drained.add(branch);
          if (--left > 0) return;
          clearTimeout(stall);
          callback(live().length === 0 ? noneLeft() : null);
        };
        branch.on('drain', settle).on('close', settle);
      }
    },
    final(callback) {
      for (const branch of live()) branch.end();
      callback();
    },
    destroy(error, callback) {
      // Also called after a normal finish (autoDestroy): ended branches are still being read by
      // their storage then, and must be left alone. Only a failure or an early stop cuts them.
      for (const branch of branches) {
        if (error || !branch.writableEnded)
          branch.destroy(error ?? new Error('the backup stream was stopped'));
      }
      callback(error);
    },
  });
  return { sink, branches };
}
