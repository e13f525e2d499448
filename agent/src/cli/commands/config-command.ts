import type { Command } from 'commander';
import { stringify } from 'yaml';
import { redactConfig } from '../../config/redact-config.ts';
import { loadCliConfig, type GlobalOptions } from '../load-agent.ts';

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('work with the config file');
  config
    .command('check')
    .description('validate the config and print it normalized, secrets redacted (exit 2 when invalid)')
    .option('--json', 'print JSON instead of YAML')
    .action(async (options: { json?: boolean }, command: Command) => {
      const redacted = redactConfig(await loadCliConfig(command.optsWithGlobals<GlobalOptions>()));
      console.log(options.json ? JSON.stringify(redacted, null, 2) : stringify(redacted).trimEnd());
      if (!options.json) console.error('config is valid');
    });
}
