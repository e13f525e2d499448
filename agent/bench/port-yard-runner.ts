import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { BenchEngineDriver } from './bench-engine.ts';
import type { MethodRun } from './method-run.ts';
import { timedRun } from './timed-run.ts';

/** The repository's agent CLI entry point (what the `port-yard` bin runs). */
const cliPath = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/port-yard.js');
/** The bin's shebang is `#!/usr/bin/env -S node --disable-warning=ExperimentalWarning`: the same, minus env. */
const nodeArgs = ['--disable-warning=ExperimentalWarning', cliPath];

export interface PortYardSetup {
  readonly configPath: string;
  readonly storePath: string;
  readonly target: string;
  readonly database: string;
}

/** Writes a config with one filesystem storage and one target for `database`. */
export async function writePortYardConfig(
  driver: BenchEngineDriver,
  database: string,
  workDir: string,
): Promise<PortYardSetup> {
  const storePath = join(workDir, 'port-yard-store');
  const configPath = join(workDir, `port-yard-${driver.name}-${database}.yaml`);
  const target = `bench-${driver.name}`;
  const yaml = [
    'version: 1',
    'storages:',
    `  bench: { type: filesystem, path: ${JSON.stringify(storePath)} }`,
    'targets:',
    `  ${target}:`,
    `    { engine: ${driver.portYardEngine}, host: ${driver.host}, port: ${driver.port}, user: ${driver.user},`,
    `      databases: [${database}], destinations: [bench] }`,
    '',
  ].join('\n');
  await mkdir(storePath, { recursive: true, mode: 0o700 });
  await writeFile(configPath, yaml, { mode: 0o600 });
  return { configPath, storePath, target, database };
}

interface CliArtifact {
  readonly id: string;
  readonly database: string;
  readonly rawBytes: number;
  readonly storedBytes: number;
  readonly sha256: string;
}

interface CliResult {
  readonly status: string;
  readonly artifacts: readonly CliArtifact[];
  readonly failures: readonly unknown[];
}

/** Port-Yard ran but reported a failed backup (exit code, status and message kept for the report). */
export class PortYardFailed extends Error {
  readonly wallMs: number;
  constructor(message: string, wallMs: number) {
    super(message);
    this.wallMs = wallMs;
  }
}

export interface PortYardRun extends MethodRun {
  readonly rawBytes: number;
  readonly storedBytes: number;
  /** Problems found checking the stored artifact (empty: decompressed size, file size and sha256 match). */
  readonly verifyProblems: readonly string[];
}

/** `port-yard --config … backup <target> --json`, timed from spawn to exit, then the artifact checked. */
export async function runPortYardBackup(
  setup: PortYardSetup,
  serverComms: readonly string[],
): Promise<PortYardRun> {
  const result = await timedRun({
    command: process.execPath,
    args: [...nodeArgs, '--config', setup.configPath, 'backup', setup.target, '--json'],
    serverComms,
  });
  try {
    let parsed: CliResult;
    try {
      parsed = JSON.parse(result.stdout) as CliResult;
    } catch {
      throw new PortYardFailed(
        `port-yard printed no JSON (exit ${result.code}): ${result.stdout}${result.stderr}`,
        result.wallMs,
      );
    }
    const artifact = parsed.artifacts[0];
    if (result.code !== 0 || parsed.status !== 'succeeded' || !artifact) {
      throw new PortYardFailed(
        `exit ${result.code}, status ${parsed.status}: ${JSON.stringify(parsed.failures)}`,
        result.wallMs,
      );
    }
    const verifyProblems = await verifyArtifact(setup, artifact);
    return {
      wallMs: result.wallMs,
      outputBytes: artifact.storedBytes,
      usage: result.usage,
      treeCpuMs: result.treeCpuMs,
      rawBytes: artifact.rawBytes,
      storedBytes: artifact.storedBytes,
      verifyProblems,
    };
  } finally {
    // Each run starts with an empty store.
    await rm(setup.storePath, { recursive: true, force: true });
    await mkdir(setup.storePath, { recursive: true, mode: 0o700 });
  }
}

/** The data object's size and sha256 match the report, and `zstd -dc` gives back rawBytes bytes. */
async function verifyArtifact(setup: PortYardSetup, artifact: CliArtifact): Promise<string[]> {
  const folder = join(setup.storePath, setup.target, setup.database);
  const names = (await readdir(folder)).filter(
    (name) => name.startsWith(artifact.id) && name.endsWith('.zst'),
  );
  if (names.length !== 1)
    return [`expected one ${artifact.id}*.zst in ${folder}, found ${names.join(', ') || 'none'}`];
  const file = join(folder, names[0]!);
  const problems: string[] = [];
  const size = (await stat(file)).size;
  if (size !== artifact.storedBytes)
    problems.push(`file has ${size} bytes, storedBytes says ${artifact.storedBytes}`);
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  const sha256 = hash.digest('hex');
  if (sha256 !== artifact.sha256)
    problems.push(`file sha256 ${sha256} differs from the reported ${artifact.sha256}`);
  const decompressed = await decompressedSize(file);
  if (decompressed !== artifact.rawBytes) {
    problems.push(`zstd -dc gives ${decompressed} bytes, rawBytes says ${artifact.rawBytes}`);
  }
  return problems;
}

/** Bytes `zstd -dc file` writes (counted here, so no shell is involved). */
function decompressedSize(file: string): Promise<number> {
  return new Promise((resolveSize, reject) => {
    const child = spawn('zstd', ['-q', '-d', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolveSize(bytes) : reject(new Error(`zstd -dc ${file} failed (${code}): ${stderr}`)),
    );
  });
}

/** `port-yard --version`: the Node process start and module loading, nothing else. */
export async function timePortYardStart(): Promise<{ wallMs: number; peakRssKb: number; cpuMs: number }> {
  const result = await timedRun({
    command: process.execPath,
    args: [...nodeArgs, '--version'],
    serverComms: [],
  });
  if (result.code !== 0) throw new Error(`port-yard --version failed: ${result.stderr}`);
  return { wallMs: result.wallMs, peakRssKb: result.usage.rootPeakRssKb, cpuMs: result.treeCpuMs };
}

/** Wall time of `npx port-yard --version`, for comparison (npx resolves the bin first). */
export async function timeNpxPortYardStart(repoRoot: string): Promise<number | undefined> {
  const result = await timedRun({
    command: 'npx',
    args: ['--no-install', 'port-yard', '--version'],
    cwd: repoRoot,
    serverComms: [],
  });
  return result.code === 0 ? result.wallMs : undefined;
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
