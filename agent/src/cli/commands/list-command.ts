import type { Command } from 'commander';
import { reasonLabel } from '@port-yard/shared';
import type { PortYardConfig } from '@port-yard/shared';
import type { CatalogEntry } from '../../catalog/catalog.ts';
import { UsageError, exitCodes } from '../cli-errors.ts';
import { didYouMean, nameList } from '../command-line-names.ts';
import { alignColumns, formatBytes } from '../format.ts';
import { missingStorageFolders } from '../missing-storage-folders.ts';
import { withCliAgent, type GlobalOptions } from '../load-agent.ts';

interface ListOptions {
  readonly database?: string;
  readonly json?: boolean;
}

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description(
      'list the artifacts in every storage, newest first: id, target/database, stored size, compression (age: encrypted), storages, and why it was taken when not by a schedule',
    )
    .argument(
      '[target]',
      'only this target (also one since removed from the config, while storage holds its artifacts)',
    )
    .option('--database <name>', 'only this database')
    .option('--json', 'print a JSON array (one object per artifact, with sha256, labels and server version)')
    .action(async (target: string | undefined, options: ListOptions, command: Command) => {
      await withCliAgent(command.optsWithGlobals<GlobalOptions>(), async (agent) => {
        const entries = agent.catalog.list({ target, database: options.database });
        // Storage is the catalog: a target removed from the config still lists. One that is in
        // neither is a typo, not "no backups".
        const unknown =
          target !== undefined &&
          !Object.hasOwn(agent.config.targets, target) &&
          agent.catalog.list({ target }).length === 0;
        if (unknown) {
          const known = Object.keys(agent.config.targets);
          throw new UsageError(
            `no target named ${target} in the config or in storage${didYouMean(target, known)} (targets: ${nameList(known)})`,
          );
        }
        if (options.database !== undefined && entries.length === 0)
          unknownDatabase(agent.config, agent.catalog.list({ target }), target, options.database);
        if (options.json) console.log(JSON.stringify(entries.map(toRow), null, 2));
        else printEntries(entries);
        for (const { storage, path } of await missingStorageFolders(agent.config))
          console.error(
            `note: storage "${storage}": ${path} does not exist: nothing was stored there yet, or (a mount) it is not mounted`,
          );
        // The list is incomplete (its warning above says why): a script must not take it as all.
        const unlisted = agent.catalog.problems().filter((problem) => problem.kind === 'listing-failed');
        if (unlisted.length > 0) {
          const names = unlisted.map((problem) => `"${problem.storage}"`).join(', ');
          console.error(
            `error: the list is incomplete: ${unlisted.length === 1 ? 'storage' : 'storages'} ${names} could not be listed (see the warning above)`,
          );
          process.exitCode = exitCodes.failed;
        }
      });
    });
}

/**
 * `list [target] --database <name>` found nothing: fine for a database a target covers (no backup
 * yet), a typo (exit 2) for one that no target lists and no storage holds. A target with
 * `databases: all` may cover any name: its server is not asked, and nothing found stays "no artifacts".
 */
function unknownDatabase(
  config: PortYardConfig,
  stored: readonly CatalogEntry[],
  target: string | undefined,
  database: string,
): void {
  const targets = Object.entries(config.targets).filter(([name]) => target === undefined || name === target);
  if (targets.some(([, settings]) => settings.databases === 'all')) return;
  const configured = targets.flatMap(([, settings]) =>
    settings.databases === 'all' ? [] : settings.databases,
  );
  if (configured.includes(database)) return;
  const known = [...new Set([...configured, ...stored.map((entry) => entry.manifest.database)])].sort();
  const where = target === undefined ? 'any target' : `target ${target}`;
  throw new UsageError(
    `no database named ${database} in ${where}, in the config or in storage${didYouMean(database, known)} (databases: ${nameList(known)})`,
  );
}

function toRow({ manifest, locations }: CatalogEntry) {
  return {
    id: manifest.artifactId,
    target: manifest.target,
    database: manifest.database,
    engine: manifest.engine,
    startedAt: manifest.startedAt,
    finishedAt: manifest.finishedAt,
    rawBytes: manifest.rawBytes,
    storedBytes: manifest.storedBytes,
    sha256: manifest.sha256,
    compression: manifest.compression.algorithm,
    encrypted: manifest.encryption !== null,
    dumpFormat: manifest.dumpFormat,
    serverVersion: manifest.server.version,
    storages: locations.map((location) => location.storage),
    labels: manifest.labels,
  };
}

function printEntries(entries: readonly CatalogEntry[]): void {
  if (entries.length === 0) console.log('no artifacts');
  const rows = entries.map(({ manifest, locations }) => {
    const reason = manifest.labels[reasonLabel];
    return [
      manifest.artifactId,
      `${manifest.target}/${manifest.database}`,
      formatBytes(manifest.storedBytes),
      `${manifest.compression.algorithm}${manifest.encryption ? ' age' : ''}`,
      locations.map((location) => location.storage).join(','),
      reason ? `(${reason})` : '',
    ];
  });
  // Columns line up whatever the lengths of target and database names (size right-aligned).
  for (const line of alignColumns(rows, new Set([2]))) console.log(line);
}
