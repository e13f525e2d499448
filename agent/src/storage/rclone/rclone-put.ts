import type { Readable, Writable } from 'node:stream';
import { addAbortSignal } from 'node:stream';
import { PortYardError } from '@port-yard/shared';
import type { RunningTool } from '../../platform/spawn-tool.ts';
import { temporaryNameFor } from '../filesystem-temp-name.ts';
import type { RcloneContext } from './rclone-command.ts';
import { remotePathOf, runRclone, spawnRclone } from './rclone-command.ts';
import { cancelled, rcloneFailed } from './rclone-errors.ts';

export interface RclonePut {
  readonly key: string;
  readonly body: Readable;
  readonly signal: AbortSignal | undefined;
}

/** Which side failed first: the body (the producer's failure) or rclone (a storage failure). */
interface FirstFailure {
  origin: 'body' | 'rclone' | undefined;
}

/**
 * How rclone keeps `Storage.put`'s promises: `rclone rcat` streams the body from stdin into
 * `.<name>.<random>.port-yard-tmp` beside the final object (no temp file on our side; rclone
 * itself spools to its temp dir only for providers without streaming uploads), then
 * `rclone moveto` renames it to the key. The move is the commit: a server-side move where the
 * provider has one (local, SFTP, SMB, Drive, OneDrive, WebDAV, ...), a server-side copy then
 * delete otherwise (S3, B2), where the final object still appears whole. Only a provider with
 * neither makes rclone copy through this host, and then the final name may show a partial object
 * while it is written (a provider property rclone cannot hide). The temp name is never listed.
 *
 * On failure rclone is killed, the temp object deleted (best effort; `sweepTemporary` finds what
 * is left) and `body` destroyed. If a copy+delete commit fails after the copy, the put rejects
 * with the object already whole under its key: the caller then writes no manifest, so it is an
 * orphan that retention removes. Resolves to the bytes uploaded.
 */
export async function putObject(context: RcloneContext, put: RclonePut): Promise<number> {
  const { key, body, signal } = put;
  const slash = key.lastIndexOf('/');
  const tempKey = `${key.slice(0, slash + 1)}${temporaryNameFor(key.slice(slash + 1))}`;
  const tempPath = remotePathOf(context.remote, tempKey);
  const finalPath = remotePathOf(context.remote, key);
  let rcat: RunningTool | undefined;
  try {
    if (signal?.aborted) throw cancelled(context, `put of "${key}"`, signal.reason);
    rcat = spawnRclone(context, ['rcat', tempPath], { stdin: 'pipe', stdout: 'ignore' });
    const bytes = await upload(context, rcat, { ...put, tempPath });
    if (signal?.aborted) throw cancelled(context, `put of "${key}"`, signal.reason);
    // --ignore-times: without it moveto treats a same-size, same-mtime destination (or any
    // same-size one where the provider keeps no mtime) as "already there" and only deletes the temp.
    const moved = await runRclone(context, ['moveto', '--ignore-times', tempPath, finalPath]);
    if (moved.exit.code !== 0) throw rcloneFailed(context, 'commit', finalPath, moved);
    return bytes;
  } catch (error) {
    if (!body.destroyed) body.destroy();
    if (rcat !== undefined) {
      stopNow(rcat);
      // Cleanup never masks the first error; a temp object that cannot be removed is swept later.
      const ranAtAll = await rcat.exited.catch(() => undefined); // undefined: it never started
      if (ranAtAll !== undefined) await runRclone(context, ['deletefile', tempPath]).catch(() => undefined);
    }
    throw error;
  }
}

/** Feeds the body into rcat's stdin, then waits for rcat; rejects classified (see `putObject`). */
async function upload(
  context: RcloneContext,
  rcat: RunningTool,
  put: RclonePut & { readonly tempPath: string },
): Promise<number> {
  const { body, signal, tempPath } = put;
  const failure: FirstFailure = { origin: undefined };
  body.on('error', () => (failure.origin ??= 'body'));
  const stdin = rcat.child.stdin!;
  stdin.on('error', () => undefined); // EPIPE when rclone exits early: its exit code says why
  let ended = false;
  // rclone gone before the body ended: stop reading the body (the error comes from the exit).
  void rcat.exited
    .finally(() => {
      if (!ended) {
        failure.origin ??= 'rclone';
        body.destroy();
      }
    })
    .catch(() => undefined);
  const onAbort = (): void => stopNow(rcat);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal !== undefined) addAbortSignal(signal, body);
  try {
    let bytes = 0;
    for await (const chunk of body as AsyncIterable<Buffer | string>) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      bytes += buffer.length;
      if (!stdin.write(buffer)) await drained(stdin);
    }
    ended = true;
    stdin.end();
    const exit = await rcat.exited;
    if (exit.code !== 0)
      throw rcloneFailed(context, 'upload', tempPath, { exit, stderr: rcat.stderr.text() });
    return bytes;
  } catch (error) {
    // Kill before stdin closes: rclone must never read a clean EOF of a failed body, which
    // would make a short temp object look like a finished upload.
    stopNow(rcat);
    if (signal?.aborted) throw cancelled(context, `put of "${put.key}"`, signal.reason);
    if (failure.origin === 'body' && body.errored) throw body.errored;
    const exit = await rcat.exited; // rejects TOOL_MISSING when rclone could not start
    if (error instanceof PortYardError) throw error;
    throw rcloneFailed(context, 'upload', tempPath, { exit, stderr: rcat.stderr.text() });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** SIGKILL first, so no further read of stdin can happen, then close our ends of its pipes. */
function stopNow(running: RunningTool): void {
  if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
  running.kill();
}

/** Resolves once `stdin` can take more, or can take nothing ever again (rclone exited). */
function drained(stdin: Writable): Promise<void> {
  if (stdin.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stdin.off('drain', done);
      stdin.off('close', done);
      resolve();
    };
    stdin.on('drain', done);
    stdin.on('close', done);
  });
}
