/**
 * The closed set of error codes Port-Yard reports. Core code throws PortYardError with one of
 * these; only the API edge and the CLI map them to transport errors and exit codes.
 */
export const errorCodes = [
  'CONFIG_INVALID',
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'CONNECTION_FAILED',
  'AUTH_FAILED',
  'TOOL_MISSING',
  'VERSION_MISMATCH',
  'DUMP_FAILED',
  'COMPRESS_FAILED',
  'ENCRYPT_FAILED',
  'STORAGE_FAILED',
  'INTEGRITY_FAILED',
  'RESTORE_FAILED',
  'CANCELLED',
  'TIMEOUT',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** Where in a backup or restore the failure happened. */
export type FailurePhase = 'config' | 'connect' | 'dump' | 'compress' | 'store' | 'commit' | 'restore';

export interface PortYardErrorOptions {
  readonly phase?: FailurePhase;
  /** The last lines of a child process's stderr (bounded), secrets never included. */
  readonly stderrTail?: string;
  readonly cause?: unknown;
}

export class PortYardError extends Error {
  readonly code: ErrorCode;
  readonly phase: FailurePhase | undefined;
  readonly stderrTail: string | undefined;

  constructor(code: ErrorCode, message: string, options: PortYardErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'PortYardError';
    this.code = code;
    this.phase = options.phase;
    this.stderrTail = options.stderrTail;
  }
}

export function isPortYardError(error: unknown): error is PortYardError {
  return error instanceof PortYardError;
}
