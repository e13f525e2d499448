import type { PortYardConfig } from '@port-yard/shared';
import { redactConfig, redactedText } from '../config/redact-config.ts';

/**
 * Key names whose values the API never shows, besides the config's own secret keys: password
 * and token hashes (a viewer must not get something to crack offline), client secrets, bind
 * passwords. Matched by name so a secret added to the schema later is covered too.
 */
const apiSecretKey = /(password|passphrase|secret|hash|token)$/i;

/** The config as the API shows it (agent.info): secrets and hashes replaced by '<redacted>'. */
export function configView(config: PortYardConfig): PortYardConfig {
  return redact(redactConfig(config)) as PortYardConfig;
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      apiSecretKey.test(key) && typeof inner === 'string' ? redactedText : redact(inner),
    ]),
  );
}
