import type { Manifest } from '@port-yard/shared';
import type { SidecarKind } from '../artifacts/artifact-keys.ts';
import type { Storage } from '../storage/storage.ts';
import { scanStorage, type CatalogProblem, type ScannedArtifact } from './catalog-scan.ts';

export interface ArtifactLocation {
  readonly storage: string;
  readonly dataKey: string;
  readonly manifestKey: string;
  /** Sidecar objects in this storage (pin, verification), by kind → key. */
  readonly sidecars?: Partial<Record<SidecarKind, string>>;
  /**
   * Whether the verification sidecar says the artifact passed, once known: set when this agent
   * wrote it or read it (see `rememberVerification`); a scan of storage leaves it unknown.
   */
  readonly verificationOk?: boolean;
  /**
   * The manifest beside this copy, when it disagrees with the entry's on how to read the data
   * (its sha256, size, compression or encryption): a copy is checked against its own manifest,
   * so one damaged manifest cannot make every copy look damaged.
   */
  readonly manifest?: Manifest;
}

/** The manifest a copy is checked against: its own where it differs from the entry's. */
export function copyManifest(entry: CatalogEntry, location: ArtifactLocation): Manifest {
  return location.manifest ?? entry.manifest;
}

/** Whether two manifests of one artifact read its data alike. */
function readAlike(a: Manifest, b: Manifest): boolean {
  return (
    a.sha256 === b.sha256 &&
    a.storedBytes === b.storedBytes &&
    a.dataObject === b.dataObject &&
    JSON.stringify(a.compression) === JSON.stringify(b.compression) &&
    JSON.stringify(a.encryption) === JSON.stringify(b.encryption)
  );
}

export interface CatalogEntry {
  readonly manifest: Manifest;
  /** Every storage holding a whole copy (data + manifest). */
  readonly locations: readonly ArtifactLocation[];
}

/** Told once, after `afterMs`, which storages a refresh still waits for (a hung or unreachable one). */
export interface SlowStorages {
  readonly afterMs: number;
  report(storages: readonly string[]): void;
}

export interface CatalogFilter {
  readonly target?: string;
  readonly database?: string;
}

/**
 * What artifacts exist, built from the manifests in storage: Port-Yard keeps no database of its
 * own, so storage is the truth and the catalog is a cache of it, rebuilt by `refresh`.
 */
export interface Catalog {
  /**
   * Never fails for one storage: a storage that cannot be listed (a NAS down, an offsite
   * unreachable) is a `listing-failed` problem and keeps the entries it had (none at the first
   * refresh): the other storages carry on, and nothing of it reads as gone (its pins still count).
   * `slow`: told which storages have not answered yet, while the refresh waits for them.
   */
  refresh(slow?: SlowStorages): Promise<CatalogProblem[]>;
  /** What the last refresh found in storage that is not a whole artifact, and storages it could not list. */
  problems(): readonly CatalogProblem[];
  /** Newest first. */
  list(filter?: CatalogFilter): CatalogEntry[];
  get(artifactId: string): CatalogEntry | undefined;
  /** Records an artifact just written (saves a rescan after each backup). */
  add(manifest: Manifest, locations: readonly ArtifactLocation[]): void;
  /** Records that a sidecar object was written (key) or removed (undefined) in one storage. */
  setSidecar(artifactId: string, storage: string, kind: SidecarKind, key: string | undefined): void;
  /** Remembers what one storage's verification sidecar says (passed or not), until it changes. */
  rememberVerification(artifactId: string, storage: string, ok: boolean): void;
  /** Forgets one storage's copy (deleted by retention or a user); the artifact goes with its last copy. */
  removeLocation(artifactId: string, storage: string): void;
}

export function createCatalog(storages: readonly Storage[]): Catalog {
  let entries = new Map<string, CatalogEntry>();
  let lastProblems: CatalogProblem[] = [];
  // Newest first, overall and per target; rebuilt after a change, at the next list. A status page
  // asks for every target's newest artifact: with 200 targets x 1,000 artifacts, scanning the
  // whole catalog per target cost seconds (measured by the bench), the index milliseconds.
  let sorted: { all: CatalogEntry[]; byTarget: Map<string, CatalogEntry[]> } | undefined;
  const changed = (): void => {
    sorted = undefined;
  };
  const index = (): NonNullable<typeof sorted> => {
    if (sorted) return sorted;
    const all = [...entries.values()].sort(
      (a, b) =>
        b.manifest.startedAt.localeCompare(a.manifest.startedAt) ||
        b.manifest.artifactId.localeCompare(a.manifest.artifactId),
    );
    const byTarget = new Map<string, CatalogEntry[]>();
    for (const entry of all) {
      const list = byTarget.get(entry.manifest.target);
      if (list) list.push(entry);
      else byTarget.set(entry.manifest.target, [entry]);
    }
    sorted = { all, byTarget };
    return sorted;
  };

  /**
   * Copies added (or removed, or their sidecars changed) while a refresh reads the storages: the
   * refresh's snapshot may predate them, so they are applied again on top of it. Without this, a
   * backup that finished during a scheduled refresh vanished from the catalog until the next one
   * (its verification "could not run"), and a copy retention deleted meanwhile came back.
   */
  const journals = new Set<((map: Map<string, CatalogEntry>) => void)[]>();
  const apply = (change: (map: Map<string, CatalogEntry>) => void): void => {
    change(entries);
    for (const journal of journals) journal.push(change);
    changed();
  };

  /** Adds the copies in storages the entry does not list yet (a refresh may have found them already). */
  const add = (
    target: Map<string, CatalogEntry>,
    manifest: Manifest,
    locations: readonly ArtifactLocation[],
  ): void => {
    const existing = target.get(manifest.artifactId);
    const known = new Set(existing?.locations.map((location) => location.storage));
    const own = existing && !readAlike(existing.manifest, manifest) ? { manifest } : {};
    target.set(manifest.artifactId, {
      manifest: existing?.manifest ?? manifest,
      locations: [
        ...(existing?.locations ?? []),
        ...locations
          .filter((location) => !known.has(location.storage))
          .map((location) => ({ ...location, ...own })),
      ],
    });
  };

  const updateLocations = (
    map: Map<string, CatalogEntry>,
    artifactId: string,
    update: (locations: readonly ArtifactLocation[]) => ArtifactLocation[],
  ): void => {
    const entry = map.get(artifactId);
    if (!entry) return;
    const locations = update(entry.locations);
    if (locations.length === 0) map.delete(artifactId);
    else map.set(artifactId, { ...entry, locations });
  };

  return {
    async refresh(slow) {
      const journal: ((map: Map<string, CatalogEntry>) => void)[] = [];
      journals.add(journal);
      const pending = new Set(storages.map((storage) => storage.name));
      const timer = slow && setTimeout(() => slow.report([...pending]), slow.afterMs);
      let scans: StorageScan[];
      try {
        scans = await Promise.all(
          storages.map(async (storage) => {
            const scan = await scanOrReport(storage);
            pending.delete(storage.name);
            return scan;
          }),
        );
      } finally {
        clearTimeout(timer);
        journals.delete(journal);
      }
      const next = new Map<string, CatalogEntry>();
      for (const { storage, artifacts } of scans) {
        if (!artifacts) {
          for (const [manifest, location] of copiesIn(entries, storage.name)) add(next, manifest, [location]);
          continue;
        }
        for (const artifact of artifacts) {
          add(next, artifact.manifest, [
            {
              storage: storage.name,
              dataKey: artifact.dataKey,
              manifestKey: artifact.manifestKey,
              sidecars: artifact.sidecars,
            },
          ]);
        }
      }
      for (const change of journal) change(next);
      entries = next;
      changed();
      lastProblems = [...scans.flatMap((scan) => scan.problems), ...disagreements(entries)];
      return lastProblems;
    },
    list(filter = {}) {
      const { all, byTarget } = index();
      const scope = filter.target === undefined ? all : (byTarget.get(filter.target) ?? []);
      return filter.database === undefined
        ? [...scope]
        : scope.filter((entry) => entry.manifest.database === filter.database);
    },
    problems: () => lastProblems,
    get(artifactId) {
      return entries.get(artifactId);
    },
    add(manifest, locations) {
      apply((map) => add(map, manifest, locations));
    },
    setSidecar(artifactId, storage, kind, key) {
      apply((map) =>
        updateLocations(map, artifactId, (locations) =>
          locations.map((location) => {
            if (location.storage !== storage) return location;
            const sidecars = { ...location.sidecars };
            if (key === undefined) delete sidecars[kind];
            else sidecars[kind] = key;
            // A new or removed verification: what the old one said no longer holds.
            if (kind === 'verification') {
              const { verificationOk: _stale, ...rest } = location;
              return { ...rest, sidecars };
            }
            return { ...location, sidecars };
          }),
        ),
      );
    },
    rememberVerification(artifactId, storage, ok) {
      apply((map) =>
        updateLocations(map, artifactId, (locations) =>
          locations.map((location) =>
            location.storage === storage && location.sidecars?.verification !== undefined
              ? { ...location, verificationOk: ok }
              : location,
          ),
        ),
      );
    },
    removeLocation(artifactId, storage) {
      apply((map) =>
        updateLocations(map, artifactId, (locations) =>
          locations.filter((location) => location.storage !== storage),
        ),
      );
    },
  };
}

export type { CatalogProblem } from './catalog-scan.ts';

interface StorageScan {
  readonly storage: Storage;
  /** Undefined when the storage could not be listed. */
  readonly artifacts?: readonly ScannedArtifact[];
  readonly problems: readonly CatalogProblem[];
}

/** One storage's scan; one that cannot be listed is a problem of the refresh, not its failure. */
async function scanOrReport(storage: Storage): Promise<StorageScan> {
  try {
    return { storage, ...(await scanStorage(storage)) };
  } catch (error) {
    const reason = (error as Error).message;
    return {
      storage,
      problems: [
        {
          storage: storage.name,
          key: '',
          kind: 'listing-failed',
          message: `storage "${storage.name}" could not be listed (its artifacts are left out, or kept as last seen by a running agent): ${reason}`,
        },
      ],
    };
  }
}

/** The copies one storage holds, as the catalog knows them. */
function copiesIn(
  entries: ReadonlyMap<string, CatalogEntry>,
  storage: string,
): [Manifest, ArtifactLocation][] {
  return [...entries.values()].flatMap((entry) =>
    entry.locations
      .filter((location) => location.storage === storage)
      .map((location): [Manifest, ArtifactLocation] => [entry.manifest, location]),
  );
}

/** Pinned in any storage: retention keeps it everywhere. */
export function isPinned(entry: CatalogEntry): boolean {
  return entry.locations.some((location) => location.sidecars?.pin !== undefined);
}

/** A problem for each copy whose manifest disagrees with the first storage's about its data. */
function disagreements(entries: ReadonlyMap<string, CatalogEntry>): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  for (const entry of entries.values()) {
    const first = entry.locations[0]!;
    for (const location of entry.locations) {
      if (!location.manifest) continue;
      problems.push({
        storage: location.storage,
        key: location.manifestKey,
        kind: 'conflicting-manifest',
        message: `the manifest of ${entry.manifest.artifactId} says sha256 ${location.manifest.sha256.slice(0, 12)}… and ${location.manifest.storedBytes} bytes, the one in storage "${first.storage}" ${entry.manifest.sha256.slice(0, 12)}… and ${entry.manifest.storedBytes} bytes: one of them is damaged, and each copy is checked against its own`,
      });
    }
  }
  return problems;
}
