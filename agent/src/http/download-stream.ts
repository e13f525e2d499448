import type { ServerResponse } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { CodecStream } from '../pipeline/compression.ts';
import { causeOf } from '../platform/broken-pipe.ts';

/**
 * Stored bytes → (sha256 check) → the response. `pipeline` destroys the source when the client
 * goes away, which closes the file or aborts the storage's network read: nothing keeps reading
 * for a client that left.
 */
export async function sendStored(
  source: Readable,
  response: ServerResponse,
  verify?: Transform,
): Promise<void> {
  await (verify ? pipeline(source, verify, response) : pipeline(source, response));
}

/**
 * Stored bytes → sha256 check → decoder (decompress, perhaps decrypt first) → the response. Two
 * pipelines joined by a codec that may be a child process: the first failure anywhere (damage,
 * a codec error, the client leaving) kills the codec, stops the read and breaks the response off
 * (chunked, so the client sees an incomplete body rather than a short one that looks whole).
 */
export async function sendDecoded(options: {
  readonly source: Readable;
  readonly verify: Transform;
  readonly codec: CodecStream;
  readonly response: ServerResponse;
}): Promise<void> {
  const { source, verify, codec, response } = options;
  let firstError: unknown;
  const fail = (error: unknown): void => {
    if (firstError !== undefined) return;
    firstError = error;
    codec.kill();
    source.destroy();
    response.destroy();
  };
  // The response ends only once the codec exited cleanly: a decoder that fails (or is killed)
  // closes its output like one that finished, and a clean end would pass a truncated dump off
  // as whole.
  await Promise.allSettled([
    pipeline(source, verify, codec.input).catch(async (error: unknown) =>
      fail(await causeOf(error, codec.finished)),
    ),
    pipeline(codec.output, response, { end: false }).catch(fail),
    codec.finished.catch(fail),
  ]);
  if (firstError !== undefined) throw firstError;
  response.end();
  await finished(response);
}
