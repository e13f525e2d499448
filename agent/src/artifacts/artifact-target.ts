import type { Manifest, TargetConfig, TestServerConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import type { Catalog, CatalogEntry } from '../catalog/catalog.ts';
import { engineFamily } from '../verify/engine-family.ts';

/**
 * An artifact from the catalog with the config of the target it belongs to: what restores,
 * verification and sandboxes start from. NOT_FOUND when either is missing.
 */
export function artifactWithTarget(
  catalog: Pick<Catalog, 'get'> & Partial<Pick<Catalog, 'problems'>>,
  targets: Readonly<Record<string, TargetConfig>>,
  artifactId: string,
): { entry: CatalogEntry; manifest: Manifest; target: TargetConfig } {
  const entry = catalog.get(artifactId);
  if (!entry) {
    // Its files may be there but not whole (a damaged manifest, its data missing): say so here,
    // not only in a warning the user may have scrolled past.
    const found = catalog
      .problems?.()
      .filter((problem) => problem.key?.split('/').pop()?.startsWith(`${artifactId}.`))
      .map((problem) => `storage "${problem.storage}": ${problem.key}: ${problem.message}`);
    const why = found?.length ? `; its files are there but not a whole artifact: ${found.join('; ')}` : '';
    throw new PortYardError('NOT_FOUND', `no artifact ${artifactId} in any storage${why}`);
  }
  const { manifest } = entry;
  const target = Object.hasOwn(targets, manifest.target) ? targets[manifest.target] : undefined;
  if (!target)
    throw new PortYardError(
      'NOT_FOUND',
      `artifact ${manifest.artifactId} belongs to target ${manifest.target}, which is not in the config`,
    );
  return { entry, manifest, target };
}

/**
 * The test server a target names for verification or sandboxes, checked to exist and to be able
 * to load the artifact's dumps (INVALID_INPUT otherwise).
 */
export function testServerFor(
  testServers: Readonly<Record<string, TestServerConfig>>,
  manifest: Manifest,
  use: {
    readonly key: 'verify.server' | 'sandbox.server';
    readonly name: string | undefined;
    readonly verb: string;
  },
): { name: string; config: TestServerConfig } {
  const name = use.name;
  if (!name) {
    // Say how to fix it: which of the configured test servers could load this artifact.
    const fitting = Object.entries(testServers)
      .filter(([, server]) => engineFamily(server.engine) === engineFamily(manifest.engine))
      .map(([serverName]) => serverName);
    const choice = fitting.length
      ? `one of testServers (${fitting.join(', ')})`
      : `a ${manifest.engine} server added under testServers (none is there yet)`;
    throw new PortYardError(
      'INVALID_INPUT',
      `target ${manifest.target} has no ${use.key}: set targets.${manifest.target}.${use.key} to ${choice}`,
    );
  }
  const config = testServers[name];
  if (!config)
    throw new PortYardError(
      'INVALID_INPUT',
      `target ${manifest.target} ${use.verb} test server ${name}, which is not in testServers`,
    );
  if (engineFamily(config.engine) !== engineFamily(manifest.engine))
    throw new PortYardError(
      'INVALID_INPUT',
      `test server ${name} is ${config.engine}: it cannot restore a ${manifest.engine} artifact`,
    );
  return { name, config };
}
