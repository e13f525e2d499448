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

export function fanOut(count: number): { sink: Writable; branches: PassThrough[] } {
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
      for (const branch of waiting) {
        const settle = (): void => {
          branch.off('drain', settle).off('close', settle);
          if (--left === 0) callback(live().length === 0 ? noneLeft() : null);
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
