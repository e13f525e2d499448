import type { EngineName } from '@port-yard/shared';

/** Engines whose dumps load into each other's servers: MariaDB ↔ MySQL, PostgreSQL alone. */
export type EngineFamily = 'mysql' | 'postgres';

export function engineFamily(engine: EngineName): EngineFamily {
  return engine === 'postgres' ? 'postgres' : 'mysql';
}
