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
