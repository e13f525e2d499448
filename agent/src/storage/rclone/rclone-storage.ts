import type { RcloneStorageConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { isReservedSegment, isTemporaryName } from '../filesystem-temp-name.ts';
import type { Storage } from '../storage.ts';
import { assertStorageKey, assertStoragePrefix } from '../storage-key.ts';
import type { RcloneContext } from './rclone-command.ts';
import { remotePathOf, runRclone } from './rclone-command.ts';
import { isNoFileToDelete, isNotFoundExit, rcloneFailed } from './rclone-errors.ts';
import type { ListedFile } from './rclone-list.ts';
import { listFiles } from './rclone-list.ts';
import { putObject } from './rclone-put.ts';
import { getObject, statObject } from './rclone-read.ts';

export interface RcloneStorageOptions {
  /** Milliseconds since the epoch, for `sweepTemporary`'s age test; `Date.now` unless a test says. */
  readonly now?: () => number;
}

/**
 * A `Storage` on anything rclone reaches (Drive, OneDrive, Dropbox, B2, WebDAV, SMB, ...), by
 * running the rclone CLI: one process per call, arguments as an array, credentials only in the
 * rclone config (we pass its path, never a secret). Key `a/b` is `<remote>/a/b`; temporary
 * objects are named as the filesystem backend names its temp files (`filesystem-temp-name.ts`),
 * so a tree copied between the two with rclone keeps its meaning. Nothing runs until a method is
 * called: a missing rclone or remote shows on first use (TOOL_MISSING, CONFIG_INVALID).
 */
export function createRcloneStorage(
  name: string,
  config: RcloneStorageConfig,
  options: RcloneStorageOptions = {},
): Storage {
  const context: RcloneContext = {
    storageName: name,
    remote: config.remote,
    command: config.rcloneCommand,
    configFile: config.configFile,
  };
  const now = options.now ?? Date.now;

  return {
    name,
    location: config.remote,
    async put(key, body, putOptions) {
      try {
        assertObjectKey(key);
      } catch (error) {
        body.destroy();
        throw error;
      }
      return { bytes: await putObject(context, { key, body, signal: putOptions?.signal }) };
    },
    get: async (key, getOptions) => getObject(context, assertObjectKey(key), getOptions),
    stat: async (key) => statObject(context, assertObjectKey(key)),
    delete: async (key) => deleteFile(context, assertObjectKey(key)),
    async *list(prefix) {
      assertStoragePrefix(prefix);
      // List only the deepest folder every match lives in; `a/b` lists `a` and keeps `a/b*`.
      const folder = prefix.slice(0, Math.max(0, prefix.lastIndexOf('/')));
      for await (const file of listFiles(context, folder)) {
        if (file.path.startsWith(prefix) && isObject(file)) {
          yield { key: file.path, size: file.size, modifiedAt: file.modifiedAt };
        }
      }
    },
    async sweepTemporary(olderThanMs) {
      if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
        throw new PortYardError('INVALID_INPUT', `sweepTemporary needs an age >= 0 ms, got ${olderThanMs}`);
      }
      const cutoff = now() - olderThanMs;
      // Collected first, removed after: rclone is not asked to list what it is deleting.
      const stale: string[] = [];
      for await (const file of listFiles(context, '')) {
        const last = file.path.slice(file.path.lastIndexOf('/') + 1);
        if (isTemporaryName(last) && file.modifiedAt.getTime() < cutoff) stale.push(file.path);
      }
      for (const path of stale) await deleteFile(context, path);
      return stale;
    },
  };
}

/** A valid key that does not collide with temporary names; returns it for chaining. */
function assertObjectKey(key: string): string {
  assertStorageKey(key);
  if (key.split('/').some(isReservedSegment)) {
    throw new PortYardError(
      'INVALID_INPUT',
      `storage key reserved for temporary files: ${JSON.stringify(key)}`,
    );
  }
  return key;
}

/** Files no put could have made (temp objects, unnameable paths, size-less Google Docs) are not objects. */
function isObject(file: ListedFile): boolean {
  try {
    assertObjectKey(file.path);
  } catch {
    return false;
  }
  return file.size >= 0;
}

/**
 * `rclone deletefile`, idempotent: nothing there, or a folder there, is success. Empty folders
 * are left alone: they are not objects, most providers have none, and removing one could race
 * with a put creating its temp object in it.
 */
async function deleteFile(context: RcloneContext, key: string): Promise<void> {
  const path = remotePathOf(context.remote, key);
  const outcome = await runRclone(context, ['deletefile', path]);
  if (outcome.exit.code === 0 || isNotFoundExit(outcome.exit) || isNoFileToDelete(outcome.stderr)) return;
  throw rcloneFailed(context, 'delete', path, outcome);
}
