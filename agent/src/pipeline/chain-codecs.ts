import { pipeline } from 'node:stream/promises';
import type { CodecStream } from './compression.ts';

/** Two codec stages as one: `first`'s output feeds `second` (e.g. compress, then encrypt). */
export function chainCodecs(first: CodecStream, second: CodecStream): CodecStream {
  const link = pipeline(first.output, second.input);
  link.catch(() => undefined);
  const finished = Promise.all([first.finished, second.finished, link]).then(() => undefined);
  finished.catch(() => undefined);
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
