import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Manifest } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';

/**
 * Passes the stored bytes through while hashing them, and holds back the newest chunk until the
 * next one arrives: the last chunk goes out only once size and sha256 match the manifest. A
 * damaged artifact therefore never reaches the client complete; the response breaks off (an error
 * the client sees) instead of silently handing over wrong bytes. Whole-object reads only.
 */
export function verifyingPassThrough(manifest: Manifest): Transform {
  const hash = createHash('sha256');
  let read = 0;
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      read += chunk.length;
      hash.update(chunk);
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
          ),
        );
        return;
      }
      callback(null, held);
    },
  });
}
