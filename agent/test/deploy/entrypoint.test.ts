import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { freePort } from '../harness/free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { waitFor } from '../harness/wait-for.ts';
import { execForm, healthcheckOf, lastInstruction } from './dockerfile.ts';
import { node24, readAgentImage, repoRoot, type AgentImage } from './image-files.ts';

/**
 * The image's ENTRYPOINT + CMD, run outside the container: the same command line (read from
 * Dockerfile.agent, minus the init, with /app mapped to this checkout and `node` to Node 24), the
 * image's ENV with PORT_YARD_CONFIG pointing at a config that listens on 0.0.0.0 as in a
 * container. Then the image's HEALTHCHECK command against it, and SIGTERM as `docker stop` sends.
 */
let built: AgentImage;
let dir: string;
let port: number;
let agent: ChildProcess;
let exited: Promise<number | null>;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  built = await readAgentImage();
  dir = await mkdtemp(join(tmpdir(), 'py-test-entrypoint-'));
  port = await freePort('0.0.0.0');
  const configFile = join(dir, 'port-yard.yaml');
  await writeFile(
    configFile,
    stringify({
      version: 1,
      server: { host: '0.0.0.0', port },
      storages: { local: { type: 'filesystem', path: join(dir, 'var/lib/port-yard/backups') } },
    }),
  );
  const [command, ...args] = imageCommand(built);
  agent = spawn(command!, args, {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      ...built.env,
      PORT_YARD_CONFIG: configFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((resolve) => agent.once('exit', (code) => resolve(code)));
  let buffer = '';
  agent.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
});

afterAll(async () => {
  if (agent.exitCode === null) agent.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe("the image's entrypoint", () => {
  it('is the agent, serving with the config named by PORT_YARD_CONFIG', async () => {
    const [, ...args] = imageCommand(built);
    expect(args.slice(-2)).toEqual([join(repoRoot, 'agent/bin/port-yard.js'), 'serve']);
    await waitFor('/healthz to answer', () => get('/healthz').catch(() => undefined), 30_000);
    // /readyz says "starting" until the catalog is read.
    await waitFor('the agent to start', () => lines.some((line) => line.msg === 'agent started'), 30_000);
    expect(lines.find((line) => line.msg === 'API listening')).toMatchObject({
      url: `http://0.0.0.0:${port}`,
    });
  });

  it('answers /healthz and /readyz', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', storages: [{ storage: 'local', ok: true }] });
    expect((await get('/metrics')).status).toBe(200);
  });

  it("passes the image's HEALTHCHECK command", async () => {
    expect(await runHealthcheck()).toBe(0);
  });

  it('stops on SIGTERM with exit code 0, after which the HEALTHCHECK fails', async () => {
    agent.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.some((line) => line.msg === 'agent stopped')).toBe(true);
    expect(await runHealthcheck()).not.toBe(0);
  });
});

/** ENTRYPOINT + CMD without the init (tini/dumb-init and its `--`), as a command line here. */
function imageCommand(image: AgentImage): string[] {
  const entrypoint = execForm(lastInstruction(image.image, 'ENTRYPOINT')?.args ?? '') ?? [];
  const cmd = execForm(lastInstruction(image.image, 'CMD')?.args ?? '') ?? [];
  const command = [...entrypoint, ...cmd];
  if (/\/(tini|dumb-init)$/.test(command[0] ?? '')) command.shift();
  if (command[0] === '--') command.shift();
  const workdir = lastInstruction(image.image, 'WORKDIR')?.args ?? '/app';
  return command.map((word) =>
    word === 'node'
      ? node24
      : word.startsWith(`${workdir}/`)
        ? join(repoRoot, word.slice(workdir.length))
        : word,
  );
}

async function runHealthcheck(): Promise<number | null> {
  const [command, ...args] = healthcheckOf(built.image)?.command ?? [];
  const child = spawn(
    command === 'node' ? node24 : command!,
    args.map((word) => word.replace('127.0.0.1:8420', `127.0.0.1:${port}`)),
    { stdio: 'ignore' },
  );
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function get(path: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
}
