import type { Command } from 'commander';
import { formatBytes } from '../format.ts';
import { loadCliAgent, type GlobalOptions } from '../load-agent.ts';

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('list artifacts in storage, newest first')
    .argument('[target]', 'only this target')
    .option('--database <name>', 'only this database')
    .option('--json', 'print a JSON array')
    .action(
      async (
        target: string | undefined,
        options: { database?: string; json?: boolean },
        command: Command,
      ) => {
        const agent = await loadCliAgent(command.optsWithGlobals<GlobalOptions>(), (line) =>
          console.error(line),
        );
        const entries = agent.catalog.list({ target, database: options.database });
        if (options.json) {
          const rows = entries.map(({ manifest, locations }) => ({
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
          }));
          console.log(JSON.stringify(rows, null, 2));
          return;
        }
        if (entries.length === 0) console.log('no artifacts');
        for (const { manifest, locations } of entries) {
          const where = locations.map((location) => location.storage).join(',');
          console.log(
            `${manifest.artifactId}  ${manifest.target}/${manifest.database}  ${formatBytes(manifest.storedBytes).padStart(10)}  ${manifest.compression.algorithm}  ${where}`,
          );
        }
      },
    );
}
