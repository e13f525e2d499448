import { PortYardError } from '@port-yard/shared';
import type { ToolExit } from '../../platform/spawn-tool.ts';
import type { RcloneContext } from './rclone-command.ts';

/**
 * rclone's exit codes (documented in `rclone help`): 3 directory not found, 4 file not found.
 * A missing path usually reads as a missing directory, since rclone cannot tell the two apart.
 */
export function isNotFoundExit(exit: ToolExit): boolean {
  return exit.code === 3 || exit.code === 4;
}

/** `deletefile` on a path holding no object (nothing there, or a folder) exits 1 with this text. */
export function isNoFileToDelete(stderr: string): boolean {
  return stderr.includes("is a directory or doesn't exist");
}

/**
 * Classifies a failed rclone call where it arises. A remote missing from the rclone config is
 * CONFIG_INVALID (an operator fixes the config, retrying does nothing); everything else is
 * STORAGE_FAILED naming the storage, what was attempted, the rclone path and rclone's own words,
 * e.g. `storage "cloud": cannot upload "gdrive:pb/t/db/.x.1a2b.port-yard-tmp": rclone exit 7:
 * Failed to rcat: googleapi: Error 403: ...`. The bounded stderr tail goes along as `stderrTail`.
 */
export function rcloneFailed(
  context: RcloneContext,
  attempt: string,
  path: string,
  outcome: { readonly exit: ToolExit; readonly stderr: string },
): PortYardError {
  const { exit, stderr } = outcome;
  const words = stderr.split('\n').filter(Boolean).slice(-3).join(' | ') || 'no message';
  if (stderr.includes("didn't find section in config file")) {
    const remoteName = context.remote.slice(0, context.remote.indexOf(':'));
    const where = context.configFile ?? "rclone's default config file";
    const message = `storage "${context.storageName}": rclone has no remote named "${remoteName}" in ${where} (remote "${context.remote}"): ${words}`;
    return new PortYardError('CONFIG_INVALID', message, { phase: 'store', stderrTail: stderr });
  }
  const how =
    exit.code === null ? `rclone killed by ${exit.signal ?? 'a signal'}` : `rclone exit ${exit.code}`;
  return new PortYardError(
    'STORAGE_FAILED',
    `storage "${context.storageName}": cannot ${attempt} "${path}": ${how}: ${words}`,
    { phase: 'store', stderrTail: stderr },
  );
}

export function cancelled(context: RcloneContext, what: string, reason: unknown): PortYardError {
  return new PortYardError('CANCELLED', `storage "${context.storageName}": ${what} was cancelled`, {
    phase: 'store',
    cause: reason,
  });
}
