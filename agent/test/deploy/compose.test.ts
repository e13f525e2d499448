import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PortYardConfig, S3StorageConfig } from '@port-yard/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../src/config/load-config.ts';
import { instructions } from './dockerfile.ts';
import { readAgentImage, repoRoot, type AgentImage } from './image-files.ts';

/**
 * config/compose: the local trial. The file parses, every service is there with a healthcheck,
 * they start in the right order, and the agent's config (mounted where the image reads it) is
 * loaded by the real loader with the environment compose gives the agent, and matches the other
 * services: hosts, passwords, the bucket and its key.
 */
interface Service {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly command?: readonly string[];
  readonly environment?: Record<string, string>;
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly healthcheck?: { readonly test?: readonly string[] };
  readonly depends_on?: Record<string, { readonly condition: string }>;
  readonly restart?: string;
}

interface Compose {
  readonly services: Record<string, Service>;
  readonly configs?: Record<string, { readonly content: string }>;
}

const composeDir = join(repoRoot, 'config/compose');
let compose: Compose;
let built: AgentImage;
let agentService: Service;
let config: PortYardConfig;

beforeAll(async () => {
  const document = parseDocument(await readFile(join(composeDir, 'compose.yaml'), 'utf8'));
  if (document.errors.length > 0) throw new Error(document.errors.map((error) => error.message).join('; '));
  compose = document.toJS() as Compose;
  built = await readAgentImage();
  agentService = compose.services['port-yard']!;
  const mount = mountAt(agentService, built.configPath);
  config = await loadConfig(resolve(composeDir, mount!), { env: environmentOf(agentService) });
});

describe('config/compose/compose.yaml', () => {
  it('has the agent, MariaDB, PostgreSQL and an S3 server, each with a healthcheck', () => {
    for (const name of ['port-yard', 'mariadb', 'postgres', 's3'])
      expect(compose.services[name]?.healthcheck?.test?.length, name).toBeGreaterThan(1);
    expect(compose.services['create-bucket']?.restart).toBe('no');
  });

  it('builds the agent from Dockerfile.agent at the repository root', () => {
    const build = agentService.build!;
    expect(resolve(composeDir, build.context)).toBe(repoRoot);
    expect(existsSync(join(repoRoot, build.dockerfile))).toBe(true);
    expect(compose.services['create-bucket']?.image).toBe(agentService.image);
  });

  it('starts the agent once the databases are healthy and the bucket exists', () => {
    expect(agentService.depends_on).toEqual({
      mariadb: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
      'create-bucket': { condition: 'service_completed_successfully' },
    });
    expect(compose.services['create-bucket']?.depends_on).toEqual({ s3: { condition: 'service_healthy' } });
  });

  it('mounts the config where the image reads it, and a volume where it keeps data', () => {
    expect(mountAt(agentService, built.configPath)).toBe('./port-yard.yaml');
    const volume = instructions(built.image, 'VOLUME')[0]?.args;
    expect(volume).toBe(JSON.stringify([mountTarget(agentService, 'backups')]));
    for (const storage of Object.values(config.storages))
      if (storage.type === 'filesystem') expect(storage.path.startsWith('/var/lib/port-yard/')).toBe(true);
  });

  it('listens on every interface inside, published on the loopback outside', () => {
    expect(config.server.host).toBe('0.0.0.0');
    expect(agentService.ports).toEqual([`127.0.0.1:${config.server.port}:${config.server.port}`]);
  });

  it('backs up the MariaDB and PostgreSQL services with their own passwords', () => {
    const targets = Object.values(config.targets);
    expect(targets.map((target) => target.engine).sort()).toEqual(['mariadb', 'postgres']);
    for (const target of targets) {
      const service = compose.services[target.host!]!;
      expect(service.image, target.host).toMatch(new RegExp(`^${target.engine}:`));
      const env = environmentOf(service);
      expect(target.password).toBe(env.MARIADB_ROOT_PASSWORD ?? env.POSTGRES_PASSWORD);
    }
    // pg_dump refuses a server newer than itself: the image's client must be at least the trial's.
    const pgMajor = Number(/^PG_MAJOR=(\d+)$/.exec(instructions(built.image, 'ARG')[0]?.args ?? '')?.[1]);
    expect(Number(/^postgres:(\d+)/.exec(compose.services['postgres']!.image!)?.[1])).toBeLessThanOrEqual(
      pgMajor,
    );
  });

  it('writes to the S3 service with the key it knows, into the bucket created at start', () => {
    const storage = Object.values(config.storages).find(
      (candidate) => candidate.type === 's3',
    ) as S3StorageConfig;
    const endpoint = new URL(storage.endpoint!);
    expect(compose.services[endpoint.hostname]?.command).toContain(`-s3.port=${endpoint.port}`);
    expect(storage.forcePathStyle).toBe(true);
    const create = compose.services['create-bucket']!;
    expect(create.command?.join(' ')).toContain(`rclone mkdir :s3:${storage.bucket} `);
    expect(environmentOf(create)).toMatchObject({
      RCLONE_S3_ENDPOINT: storage.endpoint,
      RCLONE_S3_ACCESS_KEY_ID: storage.accessKeyId,
      RCLONE_S3_SECRET_ACCESS_KEY: storage.secretAccessKey,
    });
    const identities = JSON.parse(interpolate(compose.configs!['s3-identities']!.content)) as {
      identities: { credentials: { accessKey: string; secretKey: string }[] }[];
    };
    expect(identities.identities[0]?.credentials[0]).toEqual({
      accessKey: storage.accessKeyId,
      secretKey: storage.secretAccessKey,
    });
  });
});

/** Compose's own `${VAR:-default}` substitution, with no variable set: the trial's defaults. */
function interpolate(text: string): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (match, name, fallback) => {
    if (match === '$$') return '$';
    if (fallback === undefined) throw new Error(`\${${name as string}} has no default`);
    return fallback as string;
  });
}

function environmentOf(service: Service): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([name, value]) => [name, interpolate(String(value))]),
  );
}

/** The host side of the volume mounted at `target` (`host:target[:mode]`). */
function mountAt(service: Service, target: string): string | undefined {
  return service.volumes?.map((volume) => volume.split(':')).find((parts) => parts[1] === target)?.[0];
}

function mountTarget(service: Service, source: string): string | undefined {
  return service.volumes?.map((volume) => volume.split(':')).find((parts) => parts[0] === source)?.[1];
}
