import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { PortYardError } from '@port-yard/shared';
import type { ConnectionSettings, Engine } from '../engines/engine.ts';
import { spawnTool } from '../platform/spawn-tool.ts';
import type { EngineFamily } from '../verify/engine-family.ts';

export interface MaskingRequest {
  readonly engine: Engine;
  readonly family: EngineFamily;
  readonly connection: ConnectionSettings;
  readonly database: string;
  /** The SQL file (`sandbox.maskingSql`). */
  readonly file: string;
  readonly signal?: AbortSignal;
}

/**
 * Runs a masking SQL file inside the sandbox database as the admin user, through the engine's own
 * SQL client (the restore command of a plain SQL dump): `mariadb`/`mysql`, which stops at the first
 * error, or `psql` with ON_ERROR_STOP in one transaction. Any error fails with RESTORE_FAILED.
 */
export async function runMaskingSql(request: MaskingRequest): Promise<void> {
  const prepared = await request.engine.prepareRestore({
    connection: request.connection,
    database: request.database,
    format: request.family === 'postgres' ? 'pg-plain' : 'sql',
  });
  try {
    const tool = spawnTool(prepared.command, { stdin: 'pipe', stdout: 'ignore' });
    const kill = (): void => tool.kill();
    request.signal?.addEventListener('abort', kill, { once: true });
    try {
      const feeding = pipeline(createReadStream(request.file), tool.child.stdin!).catch(
        (error: unknown) => error,
      );
      const exit = await tool.exited;
      const fed = await feeding;
      request.signal?.throwIfAborted();
      if (exit.code !== 0 || fed instanceof Error) {
        const stderrTail = tool.stderr.text();
        const firstLine = stderrTail.split('\n').find((line) => line.trim());
        const why = firstLine ?? (fed instanceof Error ? fed.message : `exit code ${exit.code}`);
        throw new PortYardError('RESTORE_FAILED', `the masking SQL ${request.file} failed: ${why}`, {
          phase: 'restore',
          stderrTail,
        });
      }
    } finally {
      request.signal?.removeEventListener('abort', kill);
    }
  } finally {
    await prepared.dispose();
  }
}
