import { createHash } from 'node:crypto';

/**
 * A host key's fingerprint exactly as `ssh-keygen -lf key.pub` prints it: `SHA256:` and the
 * unpadded base64 of the SHA-256 of the raw public key blob (the base64 field of `key.pub`).
 */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The config allows one trailing `=` (some tools print padded base64); compare without it. */
export function sameFingerprint(expected: string, presented: string): boolean {
  return expected.replace(/=+$/, '') === presented;
}
