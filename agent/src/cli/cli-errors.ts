import { isPortYardError } from '@port-yard/shared';
import { isConfigError } from '../config/config-error.ts';

/**
 * Exit codes: 0 success, 1 the operation failed, 2 bad usage or config (nothing was started),
 * 3 partial (every database backed up, but not to every destination).
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;

/** Thrown by commands for a bad command line: printed as is, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function describeError(error: unknown): string {
  if (isPortYardError(error)) {
    const tail = error.stderrTail ? `\n  ${error.stderrTail.split('\n').join('\n  ')}` : '';
    return `${error.code}${error.phase ? ` (${error.phase})` : ''}: ${error.message}${tail}`;
  }
  return (error as Error)?.message ?? String(error);
}

/** Whether the command line asks for JSON (`--json` before any `--`). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * A failure as `--json` prints it on stdout, `{"ok": false, "error": {...}}`, where the command
 * has no result to print: a restore refused or failed, a verification that could not run, a
 * name or a config that is wrong. The same words go to stderr; the exit code says which kind.
 */
export function failureJson(error: unknown, usage: boolean): string {
  const details: Record<string, unknown> = isPortYardError(error)
    ? {
        code: error.code,
        message: error.message,
        ...(error.phase ? { phase: error.phase } : {}),
        ...(error.stderrTail ? { stderrTail: error.stderrTail } : {}),
      }
    : {
        code: usage ? 'INVALID_INPUT' : 'INTERNAL',
        // (Commander's own messages start with it; stderr has it once.)
        message: ((error as Error)?.message ?? String(error)).replace(/^error: /, ''),
      };
  if (isConfigError(error)) details['problems'] = error.problems;
  return JSON.stringify({ ok: false, error: details }, null, 2);
}
