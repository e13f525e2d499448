import { access, constants, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { configAdvice } from '../../config/config-advice.ts';
import { ConfigError } from '../../config/config-error.ts';
import { redactConfig } from '../../config/redact-config.ts';
import { unreadableConfigFiles } from '../../config/unreadable-files.ts';
import { checkStorage } from '../../storage/check-storage.ts';
import { exitCodes } from '../cli-errors.ts';
import { configPath, loadCliConfig, withCliAgent, type GlobalOptions } from '../load-agent.ts';
import { missingStorageFolders } from '../missing-storage-folders.ts';

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('work with the config file');
  config
    .command('check')
    .description(
      'validate the config and the files it names, and print it normalized, secrets redacted (exit 2 when invalid)',
    )
    .option('--json', 'print JSON instead of YAML')
    .option(
      '--storages',
      'also write, list, read back and delete a small probe object in every storage (exit 1 when one fails)',
    )
    .action(async (options: { json?: boolean; storages?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const loaded = await loadCliConfig(globals);
      // The agent would run with these (warning when it needs one); a check should not pass them.
      const unreadable = await unreadableConfigFiles(loaded);
      if (unreadable.length > 0) throw new ConfigError(configPath(globals), unreadable);
      const redacted = redactConfig(loaded);
      console.log(options.json ? JSON.stringify(redacted, null, 2) : stringify(redacted).trimEnd());
      for (const advice of configAdvice(loaded)) console.error(`warning: ${advice.path}: ${advice.message}`);
      if (!options.json) console.error('config is valid');
      if (options.storages) await checkStorages(globals);
    });
}

/** `--storages`: each storage does what backups, restores and retention will ask of it. */
async function checkStorages(globals: GlobalOptions): Promise<void> {
  await withCliAgent(
    globals,
    async (agent) => {
      const missing = new Map(
        (await missingStorageFolders(agent.config)).map((folder) => [folder.storage, folder.path]),
      );
      for (const storage of agent.storages.values()) {
        // Not created here: an unmounted share would be "fixed" with a folder on the local disk.
        const path = missing.get(storage.name);
        if (path !== undefined) {
          const settings = agent.config.storages[storage.name];
          const creates = settings?.type === 'filesystem' && settings.createRoot !== false;
          // Before the first backup it is missing by design: where it would be created must do.
          const parent = creates ? await writableAncestor(path) : undefined;
          if (parent?.writable) {
            console.error(
              `storage ${storage.name} (${path}): ok: the folder does not exist yet; the first backup creates it in ${parent.path}, which is writable (the check creates nothing)`,
            );
            continue;
          }
          console.error(
            `storage ${storage.name} (${path}): FAILED: the folder does not exist${
              parent ? `, and ${parent.path}, where it would be created, is not writable` : ''
            }: create it, or mount the share (the check creates nothing)`,
          );
          process.exitCode = exitCodes.failed;
          continue;
        }
        const check = await checkStorage(storage);
        console.error(
          check.problem === undefined
            ? `storage ${check.storage} (${check.location}): ok: wrote, listed, read back and deleted a probe in ${check.ms} ms`
            : `storage ${check.storage} (${check.location}): FAILED: ${check.problem}`,
        );
        if (check.problem !== undefined) process.exitCode = exitCodes.failed;
      }
    },
    { readCatalog: false },
  );
}

/** The nearest folder above `path` that exists, and whether this process may create in it. */
async function writableAncestor(path: string): Promise<{ path: string; writable: boolean } | undefined> {
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    const info = await stat(folder).catch(() => undefined);
    if (info?.isDirectory()) {
      const writable = await access(folder, constants.W_OK | constants.X_OK).then(
        () => true,
        () => false,
      );
      return { path: folder, writable };
    }
    if (dirname(folder) === folder) return undefined;
  }
}
