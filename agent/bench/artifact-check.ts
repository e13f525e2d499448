import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

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
  // zstd may stop reading early on corrupt input: its stdin then errors (EPIPE), reported below.
  zstd.stdin.on('error', () => undefined);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
    if (!zstd.stdin.write(buffer) && zstd.exitCode === null) {
      await new Promise<void>((resolve) => {
        zstd.stdin.once('drain', resolve);
        zstd.once('close', () => resolve());
      });
    }
  }
  zstd.stdin.end();
  const code = await exited;
  const problems: string[] = [];
  if (bytes !== artifact.storedBytes)
    problems.push(`${where} has ${bytes} bytes, storedBytes says ${artifact.storedBytes}`);
  const sha256 = hash.digest('hex');
  if (sha256 !== artifact.sha256)
    problems.push(`${where} sha256 ${sha256} differs from the reported ${artifact.sha256}`);
  if (code !== 0) problems.push(`zstd -dc of ${where} failed (${code}): ${stderr.trim()}`);
  else if (decompressed !== artifact.rawBytes)
    problems.push(`zstd -dc of ${where} gives ${decompressed} bytes, rawBytes says ${artifact.rawBytes}`);
  return problems;
}
