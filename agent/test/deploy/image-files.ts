import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { environmentOf, parseDockerfile, type Stage } from './dockerfile.ts';

/** The repository root, the build context of Dockerfile.agent. */
export const repoRoot = resolve(import.meta.dirname, '../../..');

/**
 * The Node the tests start the agent with: the repository's Node 24 (the `node` dev dependency,
 * the image's major), else the one running the tests.
 */
export const node24 = existsSync(join(repoRoot, 'node_modules/.bin/node'))
  ? join(repoRoot, 'node_modules/.bin/node')
  : process.execPath;

export interface AgentImage {
  readonly stages: readonly Stage[];
  /** The final stage: the image that runs. */
  readonly image: Stage;
  readonly env: Record<string, string>;
  /** Where the image reads its config (its PORT_YARD_CONFIG). */
  readonly configPath: string;
}

export async function readAgentImage(): Promise<AgentImage> {
  const stages = parseDockerfile(await readFile(join(repoRoot, 'Dockerfile.agent'), 'utf8'));
  const image = stages.at(-1);
  if (!image) throw new Error('Dockerfile.agent has no stage');
  const env = environmentOf(image);
  const configPath = env.PORT_YARD_CONFIG;
  if (!configPath) throw new Error('Dockerfile.agent sets no PORT_YARD_CONFIG');
  return { stages, image, env, configPath };
}
