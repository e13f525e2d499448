import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { FailurePhase, Manifest } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';

/**
 * Passes the stored bytes through while hashing them, and holds back the newest chunk until the
 * next one arrives: the last chunk goes out only once size and sha256 match the manifest. A
 * damaged artifact therefore never reaches the client complete; the response breaks off (an error
 * the client sees) instead of silently handing over wrong bytes, and a restore tool never reads a
 * clean end of a damaged dump. Whole-object reads only. `onBytes` reports bytes read so far.
 */
export function verifyingPassThrough(
  manifest: Manifest,
  options: { readonly phase?: FailurePhase; readonly onBytes?: (read: number) => void } = {},
): Transform {
  const hash = createHash('sha256');
  let read = 0;
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      read += chunk.length;
      hash.update(chunk);
      options.onBytes?.(read);
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback) {
      const digest = hash.digest('hex');
      if (read !== manifest.storedBytes || digest !== manifest.sha256) {
        callback(
          new PortYardError(
            'INTEGRITY_FAILED',
            `artifact ${manifest.artifactId} is damaged: read ${read} bytes with sha256 ${digest}, the manifest says ${manifest.storedBytes} bytes with ${manifest.sha256}`,
            { phase: options.phase },
          ),
        );
        return;
      }
      callback(null, held);
    },
  });
}
