import type { PortYardConfig } from '@port-yard/shared';
import type { ConfigProblem } from './config-error.ts';

/**
 * Valid settings that leave a failure unnoticed: warnings, never a reason to refuse the config.
 * `config check` prints them (exit 0); `serve` logs them at start and on reload.
 *
 * A scheduled target without `timeout` and without `maxAge`: a backup that hangs (a dump waiting
 * for a lock a migration holds) makes every later scheduled run of the target be refused, and
 * neither a failure nor staleness is ever reported.
 */
export function configAdvice(config: PortYardConfig): ConfigProblem[] {
  return Object.entries(config.targets).flatMap(([name, target]) =>
    target.schedule !== undefined && target.timeout === undefined && target.maxAge === undefined
      ? [
          {
            path: `targets.${name}`,
            message:
              'scheduled, but with neither timeout nor maxAge: a backup that hangs would hold off its later backups, and nothing would report it (set maxAge to be told when the newest backup is too old)',
          },
        ]
      : [],
  );
}
