import type { Command } from 'commander';
import { reasonLabel } from '@port-yard/shared';
import type { CatalogEntry } from '../../catalog/catalog.ts';
import { UsageError } from '../cli-errors.ts';
import { formatBytes } from '../format.ts';
import { withCliAgent, type GlobalOptions } from '../load-agent.ts';

interface ListOptions {
  readonly database?: string;
  readonly json?: boolean;
}

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('list artifacts in storage, newest first')
    .argument('[target]', 'only this target')
    .option('--database <name>', 'only this database')
    .option('--json', 'print a JSON array')
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
          const known = Object.keys(agent.config.targets).join(', ') || 'none';
          throw new UsageError(`no target named ${target} in the config or in storage (targets: ${known})`);
        }
        if (options.json) console.log(JSON.stringify(entries.map(toRow), null, 2));
        else printEntries(entries);
      });
    });
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
  for (const { manifest, locations } of entries) {
    const where = locations.map((location) => location.storage).join(',');
    const size = formatBytes(manifest.storedBytes).padStart(10);
    const lock = manifest.encryption ? ' age' : '';
    const reason = manifest.labels[reasonLabel];
    console.log(
      `${manifest.artifactId}  ${manifest.target}/${manifest.database}  ${size}  ${manifest.compression.algorithm}${lock}  ${where}${reason ? `  (${reason})` : ''}`,
    );
  }
}
