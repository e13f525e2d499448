import { isDeepStrictEqual } from 'node:util';
import type { PortYardConfig } from '@port-yard/shared';

/**
 * What a running agent takes from its config only at start: the API server (address, TLS, web
 * root, origins), sign-in (mode, users and their password hashes, tokens) and the run queue's
 * size. A reload applies everything else.
 */
export const restartOnlySettings = ['server', 'auth', 'maxConcurrent'] as const;

/** The restart-only settings that differ between the config the agent started with and `next`. */
export function changedRestartOnlySettings(started: PortYardConfig, next: PortYardConfig): string[] {
  return restartOnlySettings.filter((key) => !isDeepStrictEqual(started[key], next[key]));
}

/** `next` with the restart-only settings of the config the agent started with: those in force. */
export function keepRestartOnlySettings(started: PortYardConfig, next: PortYardConfig): PortYardConfig {
  // From the one list: a setting added to it is kept as well as warned about.
  return { ...next, ...Object.fromEntries(restartOnlySettings.map((key) => [key, started[key]])) };
}
