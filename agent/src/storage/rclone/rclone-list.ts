import { createInterface } from 'node:readline';
import type { RcloneContext } from './rclone-command.ts';
import { remotePathOf, spawnRclone } from './rclone-command.ts';
import { isNotFoundExit, rcloneFailed } from './rclone-errors.ts';
import { parseLsjson, statPath } from './rclone-lsjson.ts';

export interface ListedFile {
  /** Path relative to the storage's remote, `/`-separated, exactly as rclone names it. */
  readonly path: string;
  readonly size: number;
  readonly modifiedAt: Date;
}

/**
 * Every file below `folder` (a key prefix ending at a `/` boundary, '' for everything), streamed
 * from `rclone lsjson -R --files-only`, which writes one item per line (documented for `lsjson`),
 * so a large remote is never held in memory. The exit code is checked after the last line: a
 * listing cut short by a failure throws, it never just ends. A missing folder yields nothing; but
 * rclone also says "directory not found" (exit 3) when a sub-folder vanishes mid-walk, and then
 * stops walking, so that exit counts as "empty" only if nothing was listed and the folder is gone.
 * Abandoning the iteration kills rclone.
 */
export async function* listFiles(context: RcloneContext, folder: string): AsyncGenerator<ListedFile> {
  const path = remotePathOf(context.remote, folder);
  const running = spawnRclone(context, ['lsjson', '-R', '--files-only', '--no-mimetype', path]);
  const stdout = running.child.stdout!;
  let listed = 0;
  try {
    for await (const line of createInterface({ input: stdout, crlfDelay: Infinity })) {
      const text = line.trim().replace(/,$/, '');
      if (text === '' || text === '[' || text === ']') continue;
      const item = parseLsjson(context, path, text);
      if (item === null) continue;
      listed++;
      yield {
        path: folder === '' ? item.Path : `${folder}/${item.Path}`,
        size: item.Size,
        modifiedAt: new Date(item.ModTime),
      };
    }
    const exit = await running.exited;
    if (exit.code === 0) return;
    const gone =
      isNotFoundExit(exit) && listed === 0 && (await statPath(context, path, 'folder')) === undefined;
    if (!gone) throw rcloneFailed(context, 'list', path, { exit, stderr: running.stderr.text() });
  } finally {
    running.kill();
    await running.exited.catch(() => undefined);
  }
}
