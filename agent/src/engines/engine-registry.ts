import type { EngineName } from '@port-yard/shared';
import type { Engine } from './engine.ts';
import { createMysqlFamilyEngine } from './mysql/mysql-engine.ts';
import { createPostgresEngine } from './postgres/postgres-engine.ts';

export type EngineRegistry = ReadonlyMap<EngineName, Engine>;

/** Every engine Port-Yard knows, by config name: the one place that lists them. */
export function createEngineRegistry(): EngineRegistry {
  const engines: Engine[] = [
    createMysqlFamilyEngine({
      name: 'mariadb',
      dumpTools: ['mariadb-dump', 'mysqldump'],
      clientTools: ['mariadb', 'mysql'],
    }),
    createMysqlFamilyEngine({ name: 'mysql', dumpTools: ['mysqldump'], clientTools: ['mysql'] }),
    createPostgresEngine(),
  ];
  return new Map(engines.map((engine) => [engine.name, engine]));
}

export function engineFor(registry: EngineRegistry, name: EngineName): Engine {
  const engine = registry.get(name);
  if (!engine) throw new Error(`no engine registered for ${name}`);
  return engine;
}
