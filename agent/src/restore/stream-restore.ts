import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Manifest } from '@port-yard/shared';
import { PortYardError, isPortYardError } from '@port-yard/shared';
import type { CodecStream } from '../pipeline/compression.ts';
import { verifyingPassThrough } from '../artifacts/verifying-pass-through.ts';
import { causeOf, isBrokenPipe, isClosedStdin } from '../platform/broken-pipe.ts';
import { createFirstFailure } from '../platform/first-failure.ts';
import { spawnTool, type RunningTool, type ToolCommand } from '../platform/spawn-tool.ts';

export interface StreamRestoreRequest {
  readonly source: Readable;
  readonly manifest: Manifest;
  /** Stored bytes in, raw dump out: decrypts (if encrypted) and decompresses. */
  readonly decoder: CodecStream;
  readonly tool: ToolCommand;
  readonly toolName: string;
  /** Rewrites the raw dump before the tool (the engine's `rewriteInput`). */
  readonly rewriteInput?: () => Transform;
  readonly signal?: AbortSignal;
  readonly onBytes?: (storedBytesRead: number) => void;
}

/**
 * stored bytes → sha256 + size check → decompressor → restore tool's stdin. The check runs before
 * the last bytes are passed on: an artifact whose bytes differ from its manifest never reaches the
 * tool's end of input, and the restore fails with INTEGRITY_FAILED.
 */
export async function streamRestore(request: StreamRestoreRequest): Promise<void> {
  const failure = createFirstFailure(request.signal, 'restore', 'restore');
  const { fail, stop } = failure;

  const tool = spawnTool(request.tool, { stdin: 'pipe', stdout: 'ignore' });
  const codec = request.decoder;
  failure.onStop(() => {
    tool.kill();
    codec.kill();
    request.source.destroy();
  });

  const verify = verifyingPassThrough(request.manifest, { phase: 'restore', onBytes: request.onBytes });

  const exited = toolExit(tool, request.toolName);
  // Set the moment the tool's stdin breaks: then the tool's own failure is the cause, and the
  // decoder dying of SIGPIPE on the output that closed (and the feed into it breaking) are not.
  let toolStoppedReading: Promise<unknown> | undefined;
  const failUnlessTool = async (error: unknown): Promise<void> =>
    fail(toolStoppedReading ? await toolStoppedReading : error);
  const feeding = pipeline(request.source, verify, codec.input, { signal: stop }).catch(
    async (error: unknown) => failUnlessTool(readFailure(await causeOf(error, codec.finished))),
  );
  const rewrite = request.rewriteInput?.();
  const loading = (
    rewrite
      ? pipeline(codec.output, rewrite, tool.child.stdin!, { signal: stop })
      : pipeline(codec.output, tool.child.stdin!, { signal: stop })
  ).catch(async (error: unknown) => {
    const failure = stoppedReading(error, tool, request.toolName, exited);
    if (isClosedStdin(error)) toolStoppedReading = failure;
    fail(await failure);
  });
  const decompressed = codec.finished.catch(failUnlessTool);
  await Promise.allSettled([feeding, loading, decompressed, exited.catch(fail)]);
  failure.dispose();
  throwRestoreFailure(failure.error);
}

/**
 * The feed's failure: the check's and the decoder's are classified already, so a plain error is
 * the storage's (a connection reset mid-read), which another copy may not have.
 */
function readFailure(error: unknown): unknown {
  if (isPortYardError(error) || isBrokenPipe(error) || (error as Error).name === 'AbortError') return error;
  return new PortYardError('STORAGE_FAILED', `reading the artifact failed: ${(error as Error).message}`, {
    phase: 'restore',
    cause: error,
  });
}

/** Rejects with RESTORE_FAILED and the stderr line that names the error when the restore tool exits non-zero. */
export function toolExit(tool: RunningTool, toolName: string): Promise<void> {
  const exited = tool.exited.then((exit) => {
    if (exit.code === 0) return;
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const stderrTail = tool.stderr.text();
    // The line that says what went wrong: the mariadb client prints the failing statement first,
    // between lines of dashes, and only then `ERROR 1064 (42000) at line 39: ...`.
    const lines = stderrTail
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !/^-+$/.test(line));
    const firstLine = lines.find((line) => /\bERROR\b|\berror:/.test(line)) ?? lines[0] ?? '';
    throw new PortYardError(
      'RESTORE_FAILED',
      `${toolName} ${how}${firstLine ? `: ${firstLine}` : ''}${missingRolesHint(stderrTail)}`,
      { phase: 'restore', stderrTail },
    );
  });
  exited.catch(() => undefined);
  return exited;
}

/**
 * A failed write to the restore tool's stdin: the tool's own failure when it exited with one
 * (its SQL error, not "write EPIPE" or "Premature close"), else the write error.
 */
export async function stoppedReading(
  error: unknown,
  tool: RunningTool,
  toolName: string,
  exited: Promise<void>,
): Promise<unknown> {
  const cause = await causeOf(error, exited, isClosedStdin);
  if (cause !== error) return cause;
  return new PortYardError('RESTORE_FAILED', `${toolName} stopped reading: ${(error as Error).message}`, {
    phase: 'restore',
    stderrTail: tool.stderr.text(),
    cause: error,
  });
}

/**
 * A dump restored on a server that lacks its roles (a rebuilt server, an empty data directory)
 * fails on its first `OWNER TO` or `GRANT`: roles belong to the server, not to the database, and
 * are in no backup of one. Says which roles are missing and what to do, or nothing.
 */
export function missingRolesHint(stderrTail: string): string {
  const roles = [
    ...new Set([...stderrTail.matchAll(/role "((?:[^"]|"")+)" does not exist/g)].map((match) => match[1]!)),
  ];
  if (roles.length === 0) return '';
  return ` (this server has no role ${roles.join(', ')}, which the dump names; roles belong to the server and are in no database's backup: create the dump's roles first, e.g. from pg_dumpall --roles-only of the old server, then restore again)`;
}

/** Rethrows a stream's first failure as a PortYardError (RESTORE_FAILED unless it is one). */
export function throwRestoreFailure(error: unknown): void {
  if (error === undefined) return;
  throw isPortYardError(error)
    ? error
    : new PortYardError('RESTORE_FAILED', (error as Error).message, { phase: 'restore', cause: error });
}
