import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** What `port-yard backup --json` reports of one artifact. */
export interface CliArtifact {
  readonly id: string;
  readonly database: string;
  readonly rawBytes: number;
  readonly storedBytes: number;
  readonly sha256: string;
  readonly destinations?: readonly { readonly storage: string; readonly committed: boolean }[];
}

/** Where a Port-Yard run stores its artifact: how to check the stored copy and empty it afterwards. */
export interface ArtifactDestination {
  /** The storage name in the config (`bench`, `local`, `offsite`). */
  readonly storage: string;
  /** Problems with the stored copy of `artifact` (empty: all good). */
  verify(artifact: CliArtifact): Promise<string[]>;
  /** Removes everything stored, so each run starts empty. */
  clear(): Promise<void>;
}

/**
 * Reads a stored data object once: its byte count and sha256 must match the report, and
 * `zstd -dc` of it must give rawBytes bytes (counted here, so no shell is involved).
 */
export async function checkStoredObject(
  body: Readable,
  artifact: CliArtifact,
  where: string,
): Promise<string[]> {
  const zstd = spawn('zstd', ['-q', '-d', '-c'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let decompressed = 0;
  let stderr = '';
  zstd.stdout.on('data', (chunk: Buffer) => (decompressed += chunk.length));
  zstd.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    zstd.once('error', reject);
    zstd.once('close', resolve);
  });
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  // zstd stops reading on corrupt input (the pipe then fails with EPIPE): its exit code says why.
  const [piped, code] = await Promise.allSettled([pipeline(body, tap, zstd.stdin), exited]);
  const problems: string[] = [];
  if (bytes !== artifact.storedBytes)
    problems.push(`${where} has ${bytes} bytes, storedBytes says ${artifact.storedBytes}`);
  const sha256 = hash.digest('hex');
  if (sha256 !== artifact.sha256)
    problems.push(`${where} sha256 ${sha256} differs from the reported ${artifact.sha256}`);
  if (code.status === 'rejected' || code.value !== 0) {
    const why = code.status === 'rejected' ? String(code.reason) : `exit ${code.value}`;
    problems.push(`zstd -dc of ${where} failed (${why}): ${stderr.trim()}`);
  } else if (piped.status === 'rejected') {
    problems.push(`reading ${where} failed: ${String(piped.reason)}`);
  } else if (decompressed !== artifact.rawBytes) {
    problems.push(`zstd -dc of ${where} gives ${decompressed} bytes, rawBytes says ${artifact.rawBytes}`);
  }
  return problems;
}
