import type { PortYardConfig } from '@port-yard/shared';
import { hideFromTools } from '../platform/tool-environment.ts';
import { loadConfig } from './load-config.ts';

/**
 * Loads the config, and keeps the variables that filled a secret field of it (a password, a key,
 * a token) out of the environment of the tools Port-Yard starts (platform/tool-environment.ts).
 */
export async function loadConfigHidingSecrets(file: string): Promise<PortYardConfig> {
  const secretVariables = new Set<string>();
  const config = await loadConfig(file, { secretVariables });
  hideFromTools(secretVariables);
  return config;
}
