import { randomBytes } from 'node:crypto';
import { artifactIdPattern } from '@port-yard/shared';

/**
 * Where an artifact lives in storage (docs/artifact-format.md):
 *   <target>/<database>/<artifactId>.<ext>[.zst|.gz]     the data
 *   <target>/<database>/<artifactId>.manifest.json        written last
 * The artifact id is `<UTC start, YYYY-MM-DDTHH-mm-ssZ>_<10 random base32 chars>`: sortable by
 * time, unique without coordination, safe in URLs and file names.
 */
const base32 = 'abcdefghijklmnopqrstuvwxyz234567';

export const manifestSuffix = '.manifest.json';

export function newArtifactId(startedAt: Date, random: (size: number) => Buffer = randomBytes): string {
  const stamp = startedAt.toISOString().slice(0, 19).replace(/:/g, '-') + 'Z';
  const bytes = random(10);
  const suffix = Array.from(bytes, (byte) => base32[byte % 32]).join('');
  return `${stamp}_${suffix}`;
}

export function isArtifactId(text: string): boolean {
  return artifactIdPattern.test(text);
}

export function artifactFolder(target: string, database: string): string {
  return `${target}/${database}`;
}

export function manifestKey(target: string, database: string, artifactId: string): string {
  return `${artifactFolder(target, database)}/${artifactId}${manifestSuffix}`;
}

export function dataKey(target: string, database: string, dataObject: string): string {
  return `${artifactFolder(target, database)}/${dataObject}`;
}

const layout = /^([^/]+)\/([^/]+)\/([^/]+)$/;
const idPrefix = new RegExp(`^(${artifactIdPattern.source.slice(1, -1)})(\\..+)$`);

/**
 * A key in the artifact layout, taken apart: `shop/sales/<id>.sql.zst` gives the folder
 * `shop/sales`, the artifact id and the name's rest after it (`.sql.zst`, `.manifest.json`,
 * `.pin.json`). Undefined for anything else (not Port-Yard's).
 */
export function parseArtifactKey(
  key: string,
): { readonly folder: string; readonly artifactId: string; readonly rest: string } | undefined {
  const parts = layout.exec(key);
  const name = parts ? idPrefix.exec(parts[3]!) : undefined;
  return parts && name
    ? { folder: `${parts[1]}/${parts[2]}`, artifactId: name[1]!, rest: name[2]! }
    : undefined;
}

/** The manifest key of the artifact an object belongs to, from its name alone, or undefined. */
export function manifestKeyFor(key: string): string | undefined {
  const parsed = parseArtifactKey(key);
  return parsed && `${parsed.folder}/${parsed.artifactId}${manifestSuffix}`;
}

/** The UTC start time encoded in an artifact id. */
export function artifactIdTime(artifactId: string): Date {
  const [date, time] = artifactId.slice(0, 20).split('T');
  return new Date(`${date}T${time!.slice(0, 8).replace(/-/g, ':')}Z`);
}

/**
 * Small objects next to an artifact, written after it (manifests are never rewritten):
 *   <artifactId>.pin.json            the artifact is pinned (retention keeps it)
 *   <artifactId>.verification.json   the result of a restore verification
 */
export const sidecarKinds = ['pin', 'verification'] as const;
export type SidecarKind = (typeof sidecarKinds)[number];

export function sidecarKey(target: string, database: string, artifactId: string, kind: SidecarKind): string {
  return `${artifactFolder(target, database)}/${artifactId}.${kind}.json`;
}

/** The sidecar kind of an object name in an artifact folder, or undefined. */
export function sidecarKindOf(name: string): SidecarKind | undefined {
  return sidecarKinds.find((kind) => name.endsWith(`.${kind}.json`));
}
