import { createHash } from 'node:crypto';
import type { Manifest } from '@port-yard/shared';
import type { Storage } from '../storage/storage.ts';

/**
 * Reads a stored data object once and compares its size and sha256 with the manifest. Undefined
 * when it matches, else a sentence saying how it differs.
 */
export async function storedBytesProblem(
  storage: Storage,
  dataKey: string,
  manifest: Manifest,
): Promise<string | undefined> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of await storage.get(dataKey)) {
    size += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  const digest = hash.digest('hex');
  if (size === manifest.storedBytes && digest === manifest.sha256) return undefined;
  return `artifact ${manifest.artifactId} is damaged in storage ${storage.name}: ${size} bytes with sha256 ${digest}, the manifest says ${manifest.storedBytes} bytes with ${manifest.sha256}`;
}
