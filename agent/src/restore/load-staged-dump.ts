import { createReadStream } from 'node:fs';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createFirstFailure } from '../platform/first-failure.ts';
import { spawnTool, type ToolCommand } from '../platform/spawn-tool.ts';
import { stoppedReading, throwRestoreFailure, toolExit } from './stream-restore.ts';

export interface LoadStagedDumpRequest {
  /** The staged, already checked and decompressed dump. */
  readonly path: string;
  readonly tool: ToolCommand;
  readonly toolName: string;
  /** The tool opens `path` itself (pg_restore --jobs); otherwise the file is fed to its stdin. */
  readonly toolReadsFile: boolean;
  /** Rewrites the dump before the tool (the engine's `rewriteInput`); not with `toolReadsFile`. */
  readonly rewriteInput?: () => Transform;
  readonly signal?: AbortSignal;
  readonly onBytes?: (bytesFed: number) => void;
}

/** Loads a staged dump with the restore tool: the file on its stdin, or named in its arguments. */
export async function loadStagedDump(request: LoadStagedDumpRequest): Promise<void> {
  const failure = createFirstFailure(request.signal, 'restore', 'restore');
  const { fail, stop } = failure;
  const tool = spawnTool(request.tool, {
    stdin: request.toolReadsFile ? 'ignore' : 'pipe',
    stdout: 'ignore',
  });
  // Also after a cancel that came before it started: pg_restore --jobs reads the file itself, so
  // nothing else would stop it.
  failure.onStop(() => tool.kill());
  let fed = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      fed += chunk.length;
      request.onBytes?.(fed);
      done(null, chunk);
    },
  });
  const exited = toolExit(tool, request.toolName);
  const feeding = request.toolReadsFile
    ? Promise.resolve()
    : feed(request, count, tool.child.stdin!, stop).catch(async (error: unknown) =>
        fail(await stoppedReading(error, tool, request.toolName, exited)),
      );
  await Promise.allSettled([feeding, exited.catch(fail)]);
  failure.dispose();
  throwRestoreFailure(failure.error);
}

function feed(
  request: LoadStagedDumpRequest,
  count: Transform,
  stdin: Writable,
  signal: AbortSignal,
): Promise<void> {
  const file = createReadStream(request.path);
  const rewrite = request.rewriteInput?.();
  return rewrite
    ? pipeline(file, count, rewrite, stdin, { signal })
    : pipeline(file, count, stdin, { signal });
}
