import { Command, CommanderError } from 'commander';
import { isPortYardError } from '@port-yard/shared';
import { agentVersion } from '../agent-version.ts';
import { isConfigError } from '../config/config-error.ts';
import { formatConfigErrors } from '../config/format-config-errors.ts';
import { UsageError, describeError, exitCodes, failureJson, wantsJson } from './cli-errors.ts';
import { registerBackupCommand } from './commands/backup-command.ts';
import { registerConfigCommand } from './commands/config-command.ts';
import { registerHashPasswordCommand } from './commands/hash-password-command.ts';
import { registerListCommand } from './commands/list-command.ts';
import { registerNotifyCommand } from './commands/notify-command.ts';
import { registerRestoreCommand } from './commands/restore-command.ts';
import { registerRetentionCommand } from './commands/retention-command.ts';
import { registerServeCommand } from './commands/serve-command.ts';
import { registerVerifyCommand } from './commands/verify-command.ts';
import { registerSandboxCommand } from './commands/sandbox-command.ts';

/** `port-yard`: the operator's command line. Each command lives in ./commands. */
export function buildProgram(): Command {
  const program = new Command('port-yard')
    .description('Scheduled, verified backups of MariaDB/MySQL and PostgreSQL')
    .version(agentVersion)
    .option('-c, --config <file>', 'the YAML config file (default: $PORT_YARD_CONFIG)')
    .exitOverride()
    .showHelpAfterError()
    .addHelpText(
      'after',
      [
        '',
        'Exit codes (every command):',
        '  0  done',
        '  1  the work failed (a dump, a restore, a storage, a server)',
        '  2  bad usage or config: a typo in a name or option, an invalid config; nothing was started',
        '  3  partial: every database backed up, but not to every destination (backup only)',
        '',
        'Run `port-yard <command> --help` for the options of a command.',
      ].join('\n'),
    );
  registerBackupCommand(program);
  registerListCommand(program);
  registerRestoreCommand(program);
  registerVerifyCommand(program);
  registerSandboxCommand(program);
  registerConfigCommand(program);
  registerRetentionCommand(program);
  registerNotifyCommand(program);
  registerServeCommand(program);
  registerHashPasswordCommand(program);
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
  } catch (error) {
    const code = failureExitCode(error);
    if (code !== exitCodes.ok && wantsJson(argv)) console.log(failureJson(error, code === exitCodes.usage));
    return code;
  }
}

/** Says what went wrong on stderr; the exit code. */
function failureExitCode(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  if (isConfigError(error)) {
    console.error(formatConfigErrors(error));
    return exitCodes.usage;
  }
  if (error instanceof UsageError || (isPortYardError(error) && error.code === 'INVALID_INPUT')) {
    console.error(`error: ${error.message}`);
    return exitCodes.usage;
  }
  console.error(`error: ${describeError(error)}`);
  if (!isPortYardError(error) && error instanceof Error && error.stack) console.error(error.stack);
  return exitCodes.failed;
}

process.exitCode = await runCli(process.argv.slice(2));
