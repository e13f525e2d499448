import type { PortYardConfig } from '@port-yard/shared';
import { loadConfig } from './load-config.ts';

/**
 * A config whose secrets come from `${VAR}` leaves them in this process's environment, which
 * every tool it starts inherits (`/proc/<pid>/environ` of pg_dump, zstd, a `dumpCommand`
 * wrapper). The tools get the password from a 0600 file, never from there: so once the config
 * is read, the variables that filled a secret field are removed from `process.env`. A reload
 * reads them from the copy taken before (`env`).
 */
export interface SecretHidingLoader {
  load(file: string): Promise<PortYardConfig>;
}

export function secretHidingLoader(environment: NodeJS.ProcessEnv = process.env): SecretHidingLoader {
  const env = { ...environment };
  return {
    async load(file) {
      const secretVariables = new Set<string>();
      const config = await loadConfig(file, { env, secretVariables });
      for (const name of secretVariables) delete environment[name];
      return config;
    },
  };
}
