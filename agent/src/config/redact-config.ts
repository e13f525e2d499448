import { secretKeys } from '@port-yard/shared';

export const redactedText = '<redacted>';

/**
 * Besides the listed `secretKeys`, any key named like a secret (…password, …secret, …hash,
 * …token, …passphrase) with a plain value: hashes too, so a viewer gets nothing to crack
 * offline, and a secret added to the schema later is covered before anyone remembers to list it.
 */
const secretName = /(password|passphrase|secret|hash|token)$/i;

/**
 * Keys that are secrets only in one place: a notification channel's webhook URL (Slack, Teams
 * and Discord URLs carry their credential in the path) and its custom headers' values (an
 * Authorization header). Paths are from the root; `*` matches any name.
 */
const secretPaths: readonly (readonly string[])[] = [
  ['notifications', 'channels', '*', 'url'],
  ['notifications', 'channels', '*', 'headers', '*'],
];

function isSecret(key: string, value: unknown, path: readonly string[]): boolean {
  if (value === undefined) return false;
  if (secretKeys.has(key) || (secretName.test(key) && typeof value !== 'object')) return true;
  return secretPaths.some(
    (pattern) =>
      pattern.length === path.length + 1 &&
      [...path, key].every((step, index) => pattern[index] === '*' || pattern[index] === step),
  );
}

/** Whether the value at `path` (`['targets', 'db', 'password']`) is one `redactConfig` hides. */
export function isSecretField(path: readonly PropertyKey[]): boolean {
  const steps = path.map(String);
  const key = steps.at(-1);
  return key !== undefined && isSecret(key, '', steps.slice(0, -1));
}

/**
 * A deep copy of `config` in which every secret value is replaced by '<redacted>', at any depth,
 * so `config check`, the API and logs can show a config without its secrets. The input is not
 * modified. Anything that is not a plain object or array (a Date, a Map) is copied as its
 * enumerable own properties: the copy is data, and no getter or toJSON of the input can
 * bring a secret back.
 */
export function redactConfig<T>(config: T): T {
  return redact(config, []) as T;
}

function redact(value: unknown, path: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => redact(item, [...path, String(index)]));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      isSecret(key, inner, path) ? redactedText : redact(inner, [...path, key]),
    ]),
  );
}
