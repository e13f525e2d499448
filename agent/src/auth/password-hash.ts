import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

/**
 * Password and token hashes in the config: argon2id (what `port-yard hash-password` prints) or
 * bcrypt (for hashes made elsewhere, e.g. htpasswd -B). Never compared as plain text.
 */
export async function verifySecret(storedHash: string, secret: string): Promise<boolean> {
  try {
    if (storedHash.startsWith('$argon2id$')) return await argon2Verify(storedHash, secret);
    if (/^\$2[aby]\$/.test(storedHash)) return await bcrypt.compare(secret, storedHash);
  } catch {
    // a malformed hash verifies nothing
  }
  return false;
}

export function hashSecret(secret: string): Promise<string> {
  return argon2Hash(secret);
}
