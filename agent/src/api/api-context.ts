import type { PortYardConfig } from '@port-yard/shared';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Identity } from '../auth/identity.ts';
import type { Daemon } from '../daemon/daemon.ts';
import type { StreamSlots } from './stream-slots.ts';

/**
 * Layer one: the services, built once by the composition root. Routers reach everything through
 * these, so they can be tested without HTTP.
 */
export interface ApiServices {
  readonly daemon: Daemon;
  readonly audit: AuditLog;
  readonly startedAt: Date;
  /** Re-reads the config file; throws a ConfigError (and changes nothing) when it is invalid. */
  reloadConfig(): Promise<PortYardConfig>;
}

/** Layer two: who is asking, per request. */
export interface ApiContext {
  readonly services: ApiServices;
  readonly identity: Identity | undefined;
  readonly address?: string;
  /** This connection's live-subscription slots (absent where nothing limits them: tests). */
  readonly streams?: StreamSlots;
}
