import type { Command } from 'commander';
import type { Logger } from '../../platform/logger.ts';
import { UsageError, exitCodes } from '../cli-errors.ts';
import { didYouMean, nameList } from '../command-line-names.ts';
import { loadCliConfig, type GlobalOptions } from '../load-agent.ts';

/** Retries are worth seeing while the command waits; the rest is this command's own output. */
const retriesOnStderr: Logger = {
  info: () => undefined,
  warn: (message, fields = {}) =>
    console.error(
      `warning: attempt ${String(fields['attempt'])} failed (${String(fields['error'])}), retrying`,
    ),
  error: () => undefined,
};

export function registerNotifyCommand(program: Command): void {
  const notify = program.command('notify').description('notification channels (notifications.channels)');
  notify
    .command('test')
    .description(
      'send a test notification to a channel, with the configured timeout and retries (exit 0 delivered, 1 failed, 2 no such channel)',
    )
    .argument('<channel>', 'a channel name of notifications.channels')
    .action(async (channel: string, _options: unknown, command: Command) => {
      const config = await loadCliConfig(command.optsWithGlobals<GlobalOptions>());
      const channels = config.notifications.channels;
      if (!Object.hasOwn(channels, channel)) {
        const known = Object.keys(channels);
        throw new UsageError(
          `no notification channel named ${channel}${didYouMean(channel, known)} (notifications.channels: ${nameList(known)})`,
        );
      }
      // Loaded on use: the notifier (and nodemailer) would slow every other command's start.
      const { createNotifier } = await import('../../notify/notifier.ts');
      const notifier = createNotifier({ config: () => config, log: retriesOnStderr });
      const delivery = await notifier.test(channel);
      const attempts = `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`;
      if (delivery.ok) {
        console.log(`sent a test notification to ${channel} (${delivery.channelType}) in ${attempts}`);
        return;
      }
      console.error(`error: the test notification to ${channel} failed after ${attempts}: ${delivery.error}`);
      process.exitCode = exitCodes.failed;
    });
}
