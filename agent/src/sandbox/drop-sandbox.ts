import { PortYardError } from '@port-yard/shared';
import { isSandboxId } from './sandbox-names.ts';
import type { SandboxServer } from './sandbox-server.ts';

/**
 * Drops a sandbox's database and user, then its registry row: in that order, so a failure leaves
 * the row for the next attempt. Each step tolerates what is already gone. The user's sessions end
 * first: a transaction it left open must not hold up DROP DATABASE.
 */
export async function dropSandbox(server: SandboxServer, id: string): Promise<void> {
  if (!isSandboxId(id)) throw new PortYardError('INVALID_INPUT', `${id} is not a sandbox id`);
  await server.accounts.endSessions(id);
  await server.engine.dropDatabase(server.config, id);
  await server.accounts.dropUser(id);
  await server.registry.remove(id);
}
