import { secretKeys } from '@port-yard/shared';

export const redactedText = '<redacted>';

/**
 * Besides the listed `secretKeys`, any key named like a secret (…password, …secret, …hash,
 * …token, …passphrase) with a plain value: hashes too, so a viewer gets nothing to crack
 * offline, and a secret added to the schema later is covered before anyone remembers to list it.
 */
const secretName = /(password|passphrase|secret|hash|token)$/i;

function isSecret(key: string, value: unknown): boolean {
  if (value === undefined) return false;
  return secretKeys.has(key) || (secretName.test(key) && typeof value !== 'object');
}

/**
 * A deep copy of `config` in which every secret value is replaced by '<redacted>', at any depth,
 * so `config check`, the API and logs can show a config without its secrets. The input is not
 * modified. Anything that is not a plain object or array (a Date, a Map) is copied as its
 * enumerable own properties: the copy is data, and no getter or toJSON of the input can
 * bring a secret back.
 */
export function redactConfig<T>(config: T): T {
  return redact(config) as T;
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, isSecret(key, inner) ? redactedText : redact(inner)]),
  );
}
