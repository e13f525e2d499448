import { createHash, randomBytes } from 'node:crypto';

/** What a fingerprint says, and why it cannot vouch for "unchanged" when it cannot. */
export interface FingerprintDetails {
  /**
   * `<scheme>:<sha256 hex>` of the gathered facts. When `unsure` is not empty a random nonce is
   * hashed in too, so the fingerprint never equals an earlier one and the run backs up.
   */
  readonly fingerprint: string;
  readonly unsure: readonly string[];
}

/** Keys sorted at every level: the hash depends on the facts, not on the order they came in. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, inner]) => [key, canonical(inner)]));
  }
  return typeof value === 'bigint' ? value.toString() : value;
}

export function fingerprintOf(scheme: string, facts: object, unsure: readonly string[]): FingerprintDetails {
  const hashed = unsure.length === 0 ? facts : { ...facts, unsure, nonce: randomBytes(16).toString('hex') };
  const hex = createHash('sha256')
    .update(JSON.stringify(canonical(hashed)))
    .digest('hex');
  return { fingerprint: `${scheme}:${hex}`, unsure };
}
