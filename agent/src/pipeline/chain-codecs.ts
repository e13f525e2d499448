import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { causeOf, isClosedStdin, settledWithin } from '../platform/broken-pipe.ts';
import type { CodecStream } from './compression.ts';

/**
 * Starts two codec stages and chains them: when the second cannot start, the first is stopped
 * rather than left running with nothing to read its output.
 */
export function startChained(first: () => CodecStream, second: () => CodecStream): CodecStream {
  const started = first();
  try {
    return chainCodecs(started, second());
  } catch (error) {
    started.kill();
    throw error;
  }
}

/** Two codec stages as one: `first`'s output feeds `second` (e.g. decrypt, then decompress). */
export function chainCodecs(first: CodecStream, second: CodecStream): CodecStream {
  const link = linkStages(first.output, second);
  const finished = chainFinished(link, first.finished, second.finished);
  return {
    input: first.input,
    output: second.output,
    finished,
    kill() {
      first.kill();
      second.kill();
    },
  };
}

/**
 * Pipes `output` into `next`; a `next` that stops reading breaks the link (a broken pipe, or a
 * premature close when it dies in the middle of a write), and its exit says why.
 */
export function linkStages(output: Readable, next: CodecStream): Promise<void> {
  return pipeline(output, next.input).catch(async (error: unknown) => {
    throw await causeOf(error, next.finished, isClosedStdin);
  });
}

/**
 * Settles when two linked stages have: one failure brings the others within moments, in any
 * order. A second stage fails on the end of input a failed first stage left it (zstd: unexpected
 * end of file), and a first stage on the output a broken link closed. The cause is a broken
 * link's, else the first stage's, else the second stage's.
 */
export function chainFinished(
  link: Promise<void>,
  first: Promise<unknown>,
  second: Promise<unknown>,
): Promise<void> {
  const parts = [link, first, second];
  const finished = Promise.all(parts).then(
    () => undefined,
    async (earliest: unknown) => {
      const failures = await Promise.all(
        parts.map((part) =>
          settledWithin(
            part.then(
              () => undefined,
              (error: unknown) => ({ error }),
            ),
          ),
        ),
      );
      throw failures.find((failure) => failure !== undefined)?.error ?? earliest;
    },
  );
  finished.catch(() => undefined);
  return finished;
}
