import { PortYardError, isPortYardError } from '@port-yard/shared';
import type { ConnectionSettings, Engine } from '../engines/engine.ts';
import { loadStagedDump } from '../restore/load-staged-dump.ts';
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
 * error, or `psql` with ON_ERROR_STOP in one transaction. Any error fails with RESTORE_FAILED;
 * a cancel with CANCELLED.
 */
export async function runMaskingSql(request: MaskingRequest): Promise<void> {
  const prepared = await request.engine.prepareRestore({
    connection: request.connection,
    database: request.database,
    format: request.family === 'postgres' ? 'pg-plain' : 'sql',
  });
  try {
    // The same loader as a staged restore: the file on the client's stdin, its failure explained.
    await loadStagedDump({
      path: request.file,
      tool: prepared.command,
      toolName: prepared.command.command.split('/').pop()!,
      toolReadsFile: false,
      signal: request.signal,
    });
  } catch (error) {
    if (!isPortYardError(error) || error.code !== 'RESTORE_FAILED') throw error;
    throw new PortYardError('RESTORE_FAILED', `the masking SQL ${request.file} failed: ${error.message}`, {
      phase: 'restore',
      stderrTail: error.stderrTail,
      cause: error,
    });
  } finally {
    await prepared.dispose();
  }
}
