import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serverSchema } from '@port-yard/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/platform/find-executable.ts';
import { execForm, healthcheckOf, instructions, lastInstruction } from './dockerfile.ts';
import { readAgentImage, repoRoot, type AgentImage } from './image-files.ts';

/**
 * Dockerfile.agent, read: what can be known about the image without Docker (which these machines
 * cannot run). Running its entrypoint outside the container is entrypoint.test.ts.
 */
let built: AgentImage;
const defaultPort = serverSchema.parse({}).port;

beforeAll(async () => {
  built = await readAgentImage();
});

describe('Dockerfile.agent', () => {
  it('pins every base image to a version tag or a digest', () => {
    for (const { from } of built.stages) {
      expect(from, from).toMatch(/^[a-z0-9./-]+(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$/);
      const tag = /:([A-Za-z0-9._-]+)/.exec(from.split('@')[0]!.split('/').at(-1)!)?.[1];
      const digest = from.includes('@sha256:');
      expect(digest || (tag !== undefined && tag !== 'latest' && /\d/.test(tag)), `${from}: pin it`).toBe(
        true,
      );
    }
  });

  it('runs Node 24 on Debian stable slim', () => {
    expect(built.image.from).toMatch(/^node:24\.\d+\.\d+-trixie-slim(@sha256:[0-9a-f]{64})?$/);
  });

  it('has several stages, and the image takes the console bundle built in one', () => {
    expect(built.stages.length).toBeGreaterThan(1);
    const copies = instructions(built.image, 'COPY').map(({ args }) => args);
    expect(copies).toContainEqual(
      expect.stringMatching(/^--from=\S+ \/src\/desktop\/dist\/web desktop\/dist\/web/),
    );
    expect(copies).toContainEqual(expect.stringMatching(/^--from=\S+ \/app\/node_modules node_modules/));
  });

  it('runs as a numeric user that is not root (runAsNonRoot can check it)', () => {
    const user = lastInstruction(built.image, 'USER')?.args ?? '';
    const [uid, gid] = user.split(':');
    expect(uid).toMatch(/^[1-9]\d*$/);
    expect(gid ?? '1').toMatch(/^[1-9]\d*$/);
  });

  it('starts the agent under an init, with the node flags of its #! line', async () => {
    const entrypoint = execForm(lastInstruction(built.image, 'ENTRYPOINT')?.args ?? '') ?? [];
    expect(entrypoint[0]).toMatch(/\/(tini|dumb-init)$/);
    if (entrypoint[0]!.endsWith('tini')) expect(entrypoint[1]).toBe('--');
    const node = entrypoint.indexOf('node');
    expect(node).toBeGreaterThan(0);
    expect(entrypoint.at(-1)).toBe('/app/agent/bin/port-yard.js');
    const shebang = (await readFile(join(repoRoot, 'agent/bin/port-yard.js'), 'utf8')).split('\n')[0]!;
    const shebangFlags = shebang.split(/\s+/).filter((word) => word.startsWith('--'));
    expect(entrypoint.slice(node + 1, -1)).toEqual(shebangFlags);
    expect(execForm(lastInstruction(built.image, 'CMD')?.args ?? '')).toEqual(['serve']);
  });

  it('checks /healthz on the exposed default port', () => {
    expect(instructions(built.image, 'EXPOSE').map(({ args }) => args)).toContain(String(defaultPort));
    const healthcheck = healthcheckOf(built.image);
    expect(healthcheck?.command.join(' ')).toContain(`http://127.0.0.1:${defaultPort}/healthz`);
    expect(healthcheck?.options).toMatchObject({ interval: expect.any(String), timeout: expect.any(String) });
  });

  it('documents its paths: the config file, the data volume', () => {
    expect(built.configPath).toBe('/etc/port-yard/port-yard.yaml');
    expect(instructions(built.image, 'VOLUME').map(({ args }) => args)).toContain('["/var/lib/port-yard"]');
  });

  it('installs every tool the agent runs, and checks them at build time', () => {
    const runs = instructions(built.image, 'RUN')
      .map(({ args }) => args)
      .join('\n');
    const words = new Set(runs.split(/\s+/).map((word) => word.replace(/^"|"$/g, '')));
    const packages = ['mariadb-client', 'postgresql-client-${PG_MAJOR}', 'zstd', 'pigz', 'age', 'rclone'];
    for (const name of [...packages, 'openssh-client', 'tini']) expect(words, name).toContain(name);
    expect(instructions(built.image, 'ARG').map(({ args }) => args)).toContain('PG_MAJOR=18');
    expect(runs).toContain('apt.postgresql.org');
    for (const check of [
      'mysqldump --version',
      'mariadb-dump --version',
      'pg_dump --version',
      'age --version',
    ])
      expect(runs).toContain(check);
  });

  it("pins Oracle's MySQL client build by SHA-256 for both architectures", () => {
    const args = built.stages.flatMap((stage) => instructions(stage, 'ARG')).map(({ args }) => args);
    expect(args).toContainEqual(expect.stringMatching(/^MYSQL_VERSION=8\.4\.\d+$/));
    expect(args).toContainEqual(expect.stringMatching(/^MYSQL_SHA256_AMD64=[0-9a-f]{64}$/));
    expect(args).toContainEqual(expect.stringMatching(/^MYSQL_SHA256_ARM64=[0-9a-f]{64}$/));
  });

  it('copies only files that exist and that .dockerignore lets into the build context', async () => {
    const ignored = (await readFile(join(repoRoot, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map(globToRegExp);
    const sources = built.stages
      .flatMap((stage) => instructions(stage, 'COPY'))
      .filter(({ args }) => !args.startsWith('--from='))
      .flatMap(({ args }) => args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      const path = source.replace(/\/$/, '');
      expect(existsSync(join(repoRoot, path)), `${source} exists`).toBe(true);
      const ancestors = path.split('/').map((_, index, parts) => parts.slice(0, index + 1).join('/'));
      const hit = ancestors.find((candidate) => ignored.some((pattern) => pattern.test(candidate)));
      expect(hit, `${source} is excluded by .dockerignore`).toBeUndefined();
    }
  });
});

const hadolint = await findExecutable('hadolint');

describe('hadolint', () => {
  // Not installable on these machines (no Debian package, no download host): CI machines that
  // have it run it; the checks above stand in for it elsewhere.
  it.skipIf(!hadolint)('finds nothing in Dockerfile.agent', async () => {
    const { stdout } = await promisify(execFile)(hadolint!, ['--no-color', 'Dockerfile.agent'], {
      cwd: repoRoot,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    expect(stdout.trim()).toBe('');
  });
});

/** A .dockerignore pattern (relative to the context; `**` any depth, `*` and `?` within a name). */
function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+/, '')
    .split(/(\*\*\/|\*\*|\*|\?)/)
    .map((part) =>
      part === '**/'
        ? '(?:.*/)?'
        : part === '**'
          ? '.*'
          : part === '*'
            ? '[^/]*'
            : part === '?'
              ? '[^/]'
              : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}
