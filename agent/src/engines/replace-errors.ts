import { PortYardError, type ErrorCode } from '@port-yard/shared';

/**
 * A replacement that failed after it had changed the database being replaced (MariaDB/MySQL: the
 * DROP began, so the database may be emptied or gone). The restore adds what to do about it (the
 * safety backup to restore); a failure before any change needs no such word.
 */
export class DatabaseChangedError extends PortYardError {
  constructor(code: ErrorCode, message: string, cause: unknown) {
    super(code, message, { phase: 'restore', cause });
    this.name = 'DatabaseChangedError';
  }
}
