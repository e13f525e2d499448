import type { TargetConfig } from '@port-yard/shared';
import { createAgeEncryption, type Encryption } from '../pipeline/age-encryption.ts';
import { createCodec, type Codec } from '../pipeline/compression.ts';

export interface PipelineParts {
  readonly codec: Codec;
  readonly encryption: Encryption | undefined;
}

/** The compressor (the fastest installed) and the encryption the target asks for. */
export async function createPipelineParts(target: TargetConfig): Promise<PipelineParts> {
  const [codec, encryption] = await Promise.all([
    createCodec(target.compression, target.compressionLevel),
    target.encryption ? createAgeEncryption(target.encryption) : Promise.resolve(undefined),
  ]);
  return { codec, encryption };
}
