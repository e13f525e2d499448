import { PortYardError } from '@port-yard/shared';
import type { RcloneContext } from './rclone-command.ts';
import { runRclone } from './rclone-command.ts';
import { isNotFoundExit, rcloneFailed } from './rclone-errors.ts';

/** One entry of `rclone lsjson` (the fields we use; `--no-mimetype` drops the costly one). */
export interface LsjsonItem {
  /** Relative to the listed path, `/`-separated, decoded from the provider's encoding. */
  readonly Path: string;
  /** -1 where the provider does not know it (Google Docs, folders). */
  readonly Size: number;
  /** RFC 3339, at the provider's precision (upload time where it keeps no modification time). */
  readonly ModTime: string;
  readonly IsDir: boolean;
}

/**
 * What is at `path`, through `rclone lsjson --stat`: a file (`kind: 'file'`) or a folder
 * (`kind: 'folder'`), or undefined when there is none of that kind. rclone prints `null` for
 * "none" where it can tell, and exits 3/4 (not found) where it cannot.
 */
export async function statPath(
  context: RcloneContext,
  path: string,
  kind: 'file' | 'folder',
): Promise<LsjsonItem | undefined> {
  const only = kind === 'file' ? '--files-only' : '--dirs-only';
  const outcome = await runRclone(context, ['lsjson', '--stat', only, '--no-mimetype', path]);
  if (isNotFoundExit(outcome.exit)) return undefined;
  if (outcome.exit.code !== 0) throw rcloneFailed(context, 'stat', path, outcome);
  return parseLsjson(context, path, outcome.stdout) ?? undefined;
}

/** Parses one lsjson item (or `null`); anything else is STORAGE_FAILED, never a guess. */
export function parseLsjson(context: RcloneContext, path: string, text: string): LsjsonItem | null {
  try {
    const item = JSON.parse(text) as LsjsonItem | null;
    if (item === null) return null;
    if (typeof item.Path === 'string' && typeof item.Size === 'number' && typeof item.ModTime === 'string') {
      return item;
    }
  } catch {
    // reported below
  }
  throw new PortYardError(
    'STORAGE_FAILED',
    `storage "${context.storageName}": cannot list "${path}": unexpected rclone lsjson output ${JSON.stringify(text.slice(0, 200))}`,
    { phase: 'store' },
  );
}
