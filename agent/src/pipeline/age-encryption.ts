import type { EncryptionConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { findExecutable } from '../platform/find-executable.ts';
import { processCodec, type CodecStream } from './compression.ts';

/**
 * Encryption at rest with the age CLI and X25519 recipients: the stored bytes are a standard age
 * file, so `age -d -i key.txt` decrypts them without Port-Yard. Only public keys are needed to
 * encrypt; the identity (secret key) file is read by age itself, only for restores.
 */
export interface Encryption {
  /** Appended to the data object's name. */
  readonly suffix: '.age';
  readonly description: { readonly algorithm: 'age'; readonly recipients: readonly string[] };
  encrypt(): CodecStream;
}

async function ageCommand(): Promise<string> {
  const age = await findExecutable('age');
  if (!age)
    throw new PortYardError(
      'TOOL_MISSING',
      'encryption needs the age CLI (https://age-encryption.org), which is not on the PATH',
    );
  return age;
}

export async function createAgeEncryption(config: EncryptionConfig): Promise<Encryption> {
  const age = await ageCommand();
  const args = ['--encrypt', ...config.recipients.flatMap((recipient) => ['--recipient', recipient])];
  return {
    suffix: '.age',
    description: { algorithm: 'age', recipients: [...config.recipients] },
    encrypt: () => processCodec(age, args, 'age', 'ENCRYPT_FAILED'),
  };
}

/** A decrypting stage for a restore; the identity file must hold a key for one of the recipients. */
export async function createAgeDecryption(
  identityFile: string | undefined,
  artifactId: string,
): Promise<() => CodecStream> {
  if (!identityFile) {
    throw new PortYardError(
      'INVALID_INPUT',
      `artifact ${artifactId} is encrypted with age: set encryption.identityFile in the target's config to restore it`,
    );
  }
  const age = await ageCommand();
  const args = ['--decrypt', '--identity', identityFile];
  return () => processCodec(age, args, 'age --decrypt', 'ENCRYPT_FAILED');
}
