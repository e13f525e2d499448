import type { Manifest, PortYardConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { createAgeDecryption } from '../pipeline/age-encryption.ts';
import { startChained } from '../pipeline/chain-codecs.ts';
import { createCodec, type CodecStream } from '../pipeline/compression.ts';

/**
 * What turns an artifact's stored bytes back into the dump for `decompress=1`: undefined when
 * they already are the dump. An encrypted artifact decrypts first, which needs the age identity
 * the target's config names; without it the request is refused before anything is read (the
 * stored file can still be downloaded and decrypted with `age -d`).
 */
export async function decoderFor(
  manifest: Manifest,
  config: PortYardConfig,
): Promise<(() => CodecStream) | undefined> {
  const compressed = manifest.compression.algorithm !== 'none';
  if (!compressed && !manifest.encryption) return undefined;
  const decompress = compressed ? (await createCodec(manifest.compression.algorithm)).decompress : undefined;
  if (!manifest.encryption) return decompress;
  const identityFile = config.targets[manifest.target]?.encryption?.identityFile;
  if (!identityFile)
    throw new PortYardError(
      'INVALID_INPUT',
      `artifact ${manifest.artifactId} is encrypted with age and this agent holds no identity for it (encryption.identityFile of target ${manifest.target}): download it as stored and decrypt it with age -d -i <key file>`,
    );
  const decrypt = await createAgeDecryption(identityFile, manifest.artifactId);
  return decompress ? () => startChained(decrypt, decompress) : decrypt;
}
