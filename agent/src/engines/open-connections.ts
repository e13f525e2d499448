import { PortYardError } from '@port-yard/shared';
import type { OpenConnections } from './engine.ts';

/** The refusal when a database about to be replaced is in use and terminating is not allowed. */
export function openConnectionsConflict(database: string, open: OpenConnections): PortYardError {
  return new PortYardError(
    'CONFLICT',
    `database ${database} has ${open.count} open connection(s) (users: ${open.users.join(', ') || 'unknown'}): close them, or let the restore terminate them (--terminate-connections, openConnections: terminate in the API, or restore.openConnections: terminate in the config)`,
  );
}
