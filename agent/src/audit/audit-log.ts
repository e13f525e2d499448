import type { AuditEntry } from '@port-yard/shared';
import type { Logger } from '../platform/logger.ts';

export type AuditRecord = Omit<AuditEntry, 'seq' | 'time'>;

export interface AuditLog {
  record(entry: AuditRecord): void;
  /** Newest first, at most `limit`, older than `beforeSeq` when given. */
  list(options?: { limit?: number; beforeSeq?: number }): AuditEntry[];
}

/**
 * Logins, downloads, deletions, pins, runs started and cancelled, restores: one JSON log line
 * each (`"audit": true`, for log shippers) and the newest `keep` in memory for the API.
 */
export function createAuditLog(log: Logger, options: { keep?: number; clock?: () => Date } = {}): AuditLog {
  const keep = options.keep ?? 5000;
  const clock = options.clock ?? (() => new Date());
  const entries: AuditEntry[] = [];
  let seq = 0;
  return {
    record(entry) {
      const full: AuditEntry = { seq: ++seq, time: clock().toISOString(), ...entry };
      entries.push(full);
      if (entries.length > keep) entries.splice(0, entries.length - keep);
      log.info(`audit: ${entry.action}`, { audit: true, ...full });
    },
    list({ limit = 100, beforeSeq } = {}) {
      const older = beforeSeq === undefined ? entries : entries.filter((entry) => entry.seq < beforeSeq);
      return older.slice(-limit).reverse();
    },
  };
}
