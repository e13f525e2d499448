import { secretKeys } from '@port-yard/shared';

export const redactedText = '<redacted>';

/**
 * A deep copy of `config` in which the value of every key listed in `secretKeys` (password,
 * secretAccessKey, ...) is replaced by '<redacted>', at any depth and whatever its type, so
 * `config check`, the API and logs can show a config without its secrets. The input is not
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
    Object.entries(value).map(([key, inner]) => [
      key,
      secretKeys.has(key) && inner !== undefined ? redactedText : redact(inner),
    ]),
  );
}
