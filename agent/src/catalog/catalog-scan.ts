import { text } from 'node:stream/consumers';
import type { Manifest } from '@port-yard/shared';
import { manifestFormatVersion, manifestSchema } from '@port-yard/shared';
import {
  manifestKeyFor,
  manifestSuffix,
  sidecarKinds,
  type SidecarKind,
} from '../artifacts/artifact-keys.ts';
import type { ObjectInfo, Storage } from '../storage/storage.ts';

/**
 * Something in storage that is not a whole artifact, or a storage that could not be listed at all
 * (`listing-failed`, key ''): reported, never fatal.
 */
export interface CatalogProblem {
  readonly storage: string;
  readonly key: string;
  readonly kind:
    | 'corrupt-manifest'
    | 'unreadable-manifest'
    | 'missing-data'
    | 'orphan-data'
    | 'foreign'
    | 'listing-failed'
    | 'conflicting-manifest';
  readonly message: string;
  readonly modifiedAt?: Date;
}

export interface ScannedArtifact {
  readonly manifest: Manifest;
  readonly manifestKey: string;
  readonly dataKey: string;
  /** Sidecar objects next to it (pin, verification), by kind → key. */
  readonly sidecars: Partial<Record<SidecarKind, string>>;
}

const readConcurrency = 8;

/** Reads every manifest of one storage and checks each against the objects that are really there. */
export async function scanStorage(
  storage: Storage,
): Promise<{ artifacts: ScannedArtifact[]; problems: CatalogProblem[] }> {
  const objects = new Map<string, ObjectInfo>();
  for await (const object of storage.list('')) objects.set(object.key, object);
  const problems: CatalogProblem[] = [];
  const manifestKeys: string[] = [];
  const claimed = new Set<string>();
  for (const [key, info] of objects) {
    if (!manifestKeyFor(key)) {
      problems.push({
        storage: storage.name,
        key,
        kind: 'foreign',
        message: 'not a Port-Yard artifact: skipped',
        modifiedAt: info.modifiedAt,
      });
    } else if (key.endsWith(manifestSuffix)) {
      manifestKeys.push(key);
    }
  }
  const artifacts: ScannedArtifact[] = [];
  for (let i = 0; i < manifestKeys.length; i += readConcurrency) {
    const batch = manifestKeys.slice(i, i + readConcurrency);
    const read = await Promise.all(batch.map((key) => readManifest(storage, key, objects)));
    for (const result of read) {
      if ('problem' in result) problems.push(result.problem);
      else {
        const sidecars = sidecarsOf(result.artifact.manifestKey, objects);
        for (const key of Object.values(sidecars)) claimed.add(key);
        artifacts.push({ ...result.artifact, sidecars });
        claimed.add(result.artifact.dataKey);
      }
      if ('manifestKey' in result && result.manifestKey) claimed.add(result.manifestKey);
    }
  }
  for (const [key, info] of objects) {
    const manifestKey = manifestKeyFor(key);
    // Next to a manifest that could not be read (a failed get, a newer format, a moved file), data
    // and sidecars are still that artifact's, never leftovers: the sweep deletes orphans.
    if (!manifestKey || key.endsWith(manifestSuffix) || claimed.has(key) || objects.has(manifestKey))
      continue;
    problems.push({
      storage: storage.name,
      key,
      kind: 'orphan-data',
      message: 'data without a manifest (an interrupted or failed commit)',
      modifiedAt: info.modifiedAt,
    });
  }
  return { artifacts, problems };
}

type ReadResult =
  { artifact: Omit<ScannedArtifact, 'sidecars'> } | { problem: CatalogProblem; manifestKey?: string };

async function readManifest(
  storage: Storage,
  key: string,
  objects: Map<string, ObjectInfo>,
): Promise<ReadResult> {
  const problem = (kind: CatalogProblem['kind'], message: string): ReadResult => ({
    problem: { storage: storage.name, key, kind, message },
  });
  // A read that failed (an S3 503, a permission) is the storage's problem and may pass; only
  // content that is not a manifest is a corrupt one.
  let content: string;
  try {
    content = await text(await storage.get(key));
  } catch (error) {
    return problem('unreadable-manifest', `manifest could not be read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    return problem('corrupt-manifest', `manifest is not JSON: ${(error as Error).message}`);
  }
  const newer = newerFormat(parsed);
  if (newer !== undefined)
    return problem(
      'corrupt-manifest',
      `manifest format ${newer} was written by a newer Port-Yard (this one reads format ${manifestFormatVersion}): upgrade Port-Yard to list and restore it`,
    );
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    const first = result.error.issues[0];
    return problem('corrupt-manifest', `invalid manifest: ${first?.path.join('.')}: ${first?.message}`);
  }
  const manifest = result.data;
  const folder = key.slice(0, key.lastIndexOf('/'));
  const expected = `${manifest.target}/${manifest.database}/${manifest.artifactId}${manifestSuffix}`;
  if (key !== expected || manifest.dataObject.includes('/')) {
    return problem('corrupt-manifest', `manifest content does not match its location (expected ${expected})`);
  }
  const dataKey = `${folder}/${manifest.dataObject}`;
  const data = objects.get(dataKey);
  if (!data)
    return {
      problem: {
        storage: storage.name,
        key,
        kind: 'missing-data',
        message: `data object ${dataKey} is missing`,
      },
      manifestKey: key,
    };
  if (data.size !== manifest.storedBytes) {
    return {
      problem: {
        storage: storage.name,
        key,
        kind: 'missing-data',
        message: `data object ${dataKey} has ${data.size} bytes, the manifest says ${manifest.storedBytes}`,
      },
      manifestKey: key,
    };
  }
  return { artifact: { manifest, manifestKey: key, dataKey } };
}

function sidecarsOf(
  manifestKey: string,
  objects: ReadonlyMap<string, ObjectInfo>,
): Partial<Record<SidecarKind, string>> {
  const stem = manifestKey.slice(0, -manifestSuffix.length);
  const found: Partial<Record<SidecarKind, string>> = {};
  for (const kind of sidecarKinds) {
    const key = `${stem}.${kind}.json`;
    if (objects.has(key)) found[kind] = key;
  }
  return found;
}

/** The `formatVersion` of a manifest from a newer Port-Yard (a whole number above ours), else undefined. */
function newerFormat(parsed: unknown): number | undefined {
  const version = (parsed as { formatVersion?: unknown } | null)?.formatVersion;
  return Number.isInteger(version) && (version as number) > manifestFormatVersion
    ? (version as number)
    : undefined;
}
