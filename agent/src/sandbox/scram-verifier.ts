import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export interface ScramOptions {
  /** Random when omitted (16 bytes, as PostgreSQL does). */
  readonly salt?: Buffer;
  readonly iterations?: number;
}

/**
 * A PostgreSQL SCRAM-SHA-256 password verifier (RFC 5802/7677, the format `pg_authid` stores):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, all base64. Given to
 * `CREATE ROLE ... PASSWORD '<verifier>'`, the server stores it as is: the plain password never
 * travels in SQL text, nor reaches the server's logs.
 *
 * Only printable ASCII passwords are accepted: for them SASLprep (which the server applies to the
 * password at login) changes nothing, so this verifier is exactly what the server would compute.
 */
export function scramSha256Verifier(password: string, options: ScramOptions = {}): string {
  if (!/^[\x20-\x7e]+$/.test(password))
    throw new Error('SCRAM verifiers are computed for printable ASCII passwords only');
  const salt = options.salt ?? randomBytes(16);
  const iterations = options.iterations ?? 4096;
  const keys = scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${keys.storedKey.toString('base64')}:${keys.serverKey.toString('base64')}`;
}

/** The keys of RFC 5802 §3: StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey. */
export function scramKeys(
  password: string,
  salt: Buffer,
  iterations: number,
): { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    clientKey,
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}
