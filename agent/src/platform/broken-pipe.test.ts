import { describe, expect, it } from 'vitest';
import { causeOf, isClosedStdin } from './broken-pipe.ts';

const brokenPipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

describe('causeOf', () => {
  it('yields the exit failure of the process that closed the pipe, when it comes later', async () => {
    const exitFailure = new Error('age exited with code 1: no identity matched any of the recipients');
    const exited = new Promise<void>((_resolve, reject) => setTimeout(() => reject(exitFailure), 100));
    await expect(causeOf(brokenPipe, exited)).resolves.toBe(exitFailure);
  });

  it('yields the error itself when it is no broken pipe, or the process exited cleanly', async () => {
    const other = new Error('disk full');
    const exited = Promise.reject(new Error('exit'));
    exited.catch(() => undefined);
    await expect(causeOf(other, exited)).resolves.toBe(other);
    await expect(causeOf(brokenPipe, Promise.resolve())).resolves.toBe(brokenPipe);
  });

  it('waits a bounded time for a process that does not exit', async () => {
    const started = Date.now();
    await expect(causeOf(brokenPipe, new Promise(() => undefined))).resolves.toBe(brokenPipe);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  // A restore tool exiting mid-write: Node reports its stdin's pipeline as closed prematurely.
  it('takes a premature close as the symptom too, where the caller says so', async () => {
    const prematureClose = Object.assign(new Error('Premature close'), {
      code: 'ERR_STREAM_PREMATURE_CLOSE',
    });
    const exitFailure = new Error('mariadb exited with code 1: ERROR 1064 (42000)');
    const exited = Promise.reject(exitFailure);
    exited.catch(() => undefined);
    await expect(causeOf(prematureClose, exited)).resolves.toBe(prematureClose);
    await expect(causeOf(prematureClose, exited, isClosedStdin)).resolves.toBe(exitFailure);
    expect([brokenPipe, prematureClose, new Error('disk full')].map(isClosedStdin)).toEqual([
      true,
      true,
      false,
    ]);
  });
});
