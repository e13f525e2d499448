import { Readable } from 'node:stream';
import { PortYardError, verificationResultSchema, type VerificationResult } from '@port-yard/shared';
import { sidecarKey } from '../artifacts/artifact-keys.ts';
import type { Catalog, CatalogEntry } from '../catalog/catalog.ts';
import type { Storage } from '../storage/storage.ts';

/**
 * Writes `<artifactId>.verification.json` next to every copy of the artifact (replacing an earlier
 * one) and records it in the catalog. Every storage is tried; a failed write fails the call after
 * the others were written.
 */
export async function writeVerificationSidecar(
  deps: { readonly catalog: Catalog; readonly storages: ReadonlyMap<string, Storage> },
  entry: CatalogEntry,
  result: VerificationResult,
): Promise<string[]> {
  const { target, database, artifactId } = entry.manifest;
  const key = sidecarKey(target, database, artifactId, 'verification');
  const body = Buffer.from(`${JSON.stringify(result, null, 2)}\n`);
  const written: string[] = [];
  const failures: unknown[] = [];
  for (const location of entry.locations) {
    const storage = deps.storages.get(location.storage);
    if (!storage) continue;
    try {
      await storage.put(key, Readable.from([body]));
      deps.catalog.setSidecar(artifactId, location.storage, 'verification', key);
      deps.catalog.rememberVerification(artifactId, location.storage, result.ok);
      written.push(location.storage);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    const first = failures[0] as Error;
    throw new PortYardError(
      'STORAGE_FAILED',
      `the verification result of ${artifactId} could not be stored in every storage: ${first.message}`,
      { cause: first },
    );
  }
  return written;
}

/** Reads and validates a verification sidecar (for the API / console); undefined when unreadable. */
export async function readVerificationSidecar(
  storage: Storage,
  key: string,
): Promise<VerificationResult | undefined> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.get(key)) chunks.push(chunk as Buffer);
    const parsed = verificationResultSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
