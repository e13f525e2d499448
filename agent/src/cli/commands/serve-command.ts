import { constants } from 'node:os';
import type { Command } from 'commander';
import { PortYardError, nominalDurationSeconds, parseDuration } from '@port-yard/shared';
import { configAdvice } from '../../config/config-advice.ts';
import { isConfigError } from '../../config/config-error.ts';
import { loadConfigHidingSecrets } from '../../config/hide-secret-variables.ts';
import { changedRestartOnlySettings, keepRestartOnlySettings } from '../../config/restart-only-settings.ts';
import { unreadableConfigFiles } from '../../config/unreadable-files.ts';
import type { PortYardConfig } from '@port-yard/shared';
import type { RunningApi } from '../../http/start-api.ts';
import { oneAtATime } from '../../platform/one-at-a-time.ts';
import { UsageError } from '../cli-errors.ts';
import { configPath, type GlobalOptions } from '../load-agent.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'run the agent: schedules, backups, retention (stops cleanly on SIGTERM/SIGINT; SIGHUP reloads the config)',
    )
    .option(
      '--shutdown-grace <duration>',
      'on SIGTERM, how long running backups may finish before they are aborted',
      '25s',
    )
    .option(
      '--log-format <format>',
      'json (one object per line) or text (default: text on a terminal, else json)',
    )
    .action(async (options: { shutdownGrace: string; logFormat?: string }, command: Command) => {
      // Not a commander default: `serve --help` (piped or not) would show whichever applied there.
      const logFormat = options.logFormat ?? (process.stdout.isTTY ? 'text' : 'json');
      const grace = parseDuration(options.shutdownGrace);
      if (!grace)
        throw new UsageError(`--shutdown-grace ${options.shutdownGrace} is not a duration such as 25s or 2m`);
      if (logFormat !== 'json' && logFormat !== 'text')
        throw new UsageError(`--log-format ${logFormat} is not a log format: give json or text`);
      const file = configPath(command.optsWithGlobals<GlobalOptions>());
      // Loaded here, not at start-up: one-shot commands need neither the logger, the daemon nor
      // the API server.
      const { createLogger } = await import('../../platform/logger.ts');
      const log = createLogger({ json: logFormat === 'json' });
      const { createDaemon } = await import('../../daemon/daemon.ts');
      const { startApi } = await import('../../http/start-api.ts');
      // A file the config names that cannot be read (a TLS CA, maskingSql) fails only what needs it.
      const warnUnreadable = async (loaded: PortYardConfig): Promise<void> => {
        for (const problem of await unreadableConfigFiles(loaded))
          log.warn('a file the config names cannot be read', { ...problem });
        for (const advice of configAdvice(loaded))
          log.warn('a failure here would go unnoticed', { ...advice });
      };
      const config = await loadConfigHidingSecrets(file);
      await warnUnreadable(config);
      const daemon = createDaemon({ config, log });
      /**
       * SIGHUP and the API's reload: an invalid file is rejected whole, each of its problems
       * logged, and the old config keeps running. The settings read only at start keep the
       * values in force, so that what the API reports is what it enforces.
       */
      const reload = oneAtATime(async (): Promise<PortYardConfig> => {
        const next = await loadConfigHidingSecrets(file).catch((error: unknown) => {
          const problems = isConfigError(error)
            ? error.problems
            : [{ path: '', message: (error as Error).message }];
          for (const problem of problems)
            log.error('the new config is invalid; the old one keeps running', { ...problem });
          throw error;
        });
        await warnUnreadable(next);
        await daemon.reload(keepRestartOnlySettings(config, next));
        // Against the config the agent started with: it keeps warning until a restart.
        const pending = changedRestartOnlySettings(config, next);
        if (pending.length > 0)
          log.warn('changed settings take effect only after a restart', { settings: pending });
        return next;
      });
      // The port first, the daemon after: an agent started twice by mistake (the same port) must
      // fail before its daemon begins a catch-up backup. Requests wait for the daemon's start.
      const started = Promise.withResolvers<void>();
      started.promise.catch(() => undefined); // (awaited by requests, if any came)
      const startup = (async () => {
        const api = await startApi({
          config,
          daemon,
          log,
          reloadConfig: reload,
          started: started.promise,
        }).catch(async (error: unknown) => {
          await daemon.agent().close();
          throw listenError(error, config);
        });
        try {
          await daemon.start();
          started.resolve();
          return api;
        } catch (error) {
          started.reject(error);
          await api.close();
          await daemon.stop(0);
          throw error;
        }
      })();

      // The scheduler's timers do not hold the process open (so tests and library use can exit):
      // the daemon does, until it is stopped.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      // Until the daemon has started, nothing runs (its first backups are submitted as its start
      // ends, and the API waits for it): a stop signal then exits at once, as a signal did before
      // there was a handler (128 + its number), so that a slow catalog read (a storage that does
      // not answer) cannot hold up `docker stop`. Once started, a stop is graceful, exit code 0.
      let api: RunningApi | undefined;
      const stopped = Promise.withResolvers<void>();
      let stopping = false;
      const stop = (signal: 'SIGTERM' | 'SIGINT'): void => {
        if (api === undefined) {
          log.info('received a stop signal while starting: exiting', { signal });
          process.exit(128 + constants.signals[signal]);
        }
        if (stopping) return;
        stopping = true;
        log.info('received a stop signal', { signal });
        void api
          .close()
          .then(() => daemon.stop(nominalDurationSeconds(grace) * 1000))
          .finally(() => {
            clearInterval(keepAlive);
            stopped.resolve();
          });
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      const reloadNow = (): void => {
        reload().catch(() => undefined); // (logged by reload)
      };
      // Heard from the start on too: SIGHUP's default action ends a process. One that comes while
      // the agent starts is carried out once it has started.
      let reloadWhenStarted = false;
      process.on('SIGHUP', () => {
        log.info('received SIGHUP: reloading the config', { file, starting: api === undefined });
        if (api === undefined) reloadWhenStarted = true;
        else reloadNow();
      });
      try {
        api = await startup;
      } catch (error) {
        clearInterval(keepAlive);
        throw error;
      }
      if (reloadWhenStarted) reloadNow();
      await stopped.promise;
    });
}

const listenReasons: Record<string, string> = {
  EADDRINUSE: 'the address is in use (another agent?)',
  EACCES: 'permission denied (a port below 1024?)',
  EADDRNOTAVAIL: 'not an address of this machine',
};

/** The API's port cannot be had: an operator's problem, said in words rather than a stack trace. */
function listenError(error: unknown, config: PortYardConfig): unknown {
  const { code, syscall } = error as NodeJS.ErrnoException;
  const reason = code === undefined ? undefined : listenReasons[code];
  if (syscall !== 'listen' || reason === undefined) return error;
  const where = `${config.server.host}:${config.server.port} (server.host, server.port)`;
  return new PortYardError('CONFLICT', `cannot listen on ${where}: ${reason}`, { cause: error });
}
