import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkStoredObject, type ArtifactDestination, type CliArtifact } from './artifact-check.ts';
import type { BenchEngineDriver } from './bench-engine.ts';
import type { MethodRun } from './method-run.ts';
import { timedRun } from './timed-run.ts';

/** The repository's agent CLI entry point (what the `port-yard` bin runs). */
const cliPath = resolve(dirname(fileURLToPath(import.meta.url)), '../bin/port-yard.js');
/**
 * The Node flags of the bin's shebang line (`#!/usr/bin/env -S node --flags…`): the bench runs
 * exactly what `npx port-yard` runs.
 */
const shebangFlags = readFileSync(cliPath, 'utf8').split('\n')[0]!.split(/\s+/).slice(3);
export const nodeArgs = [...shebangFlags, cliPath];

export interface PortYardSetup {
  readonly configPath: string;
  readonly target: string;
  readonly database: string;
  /** Every storage the target writes to, each checked after a run and emptied. */
  readonly destinations: readonly ArtifactDestination[];
  /** Environment additions of the CLI process (what `${VAR}` in the config refers to). */
  readonly env?: Readonly<Record<string, string>>;
  /** Processes the run makes work besides its own tree and the database (the S3 server). */
  readonly sidePids?: readonly number[];
}

/** One storage of a bench config: its YAML lines under `storages:` and how to check it. */
export interface BenchStorage {
  readonly yaml: readonly string[];
  readonly destination: ArtifactDestination;
}

/**
 * Writes a config with `storages` and one target for `database` writing to all of them;
 * `settings` are more top-level YAML lines (a running agent's server and auth).
 */
export async function writeTargetConfig(
  driver: BenchEngineDriver,
  database: string,
  configPath: string,
  storages: readonly BenchStorage[],
  extra: Pick<PortYardSetup, 'env' | 'sidePids'> = {},
  settings: readonly string[] = [],
): Promise<PortYardSetup> {
  const target = `bench-${driver.name}`;
  const names = storages.map((storage) => storage.destination.storage);
  const yaml = [
    'version: 1',
    ...settings,
    'storages:',
    ...storages.flatMap((storage) => storage.yaml),
    'targets:',
    `  ${target}:`,
    `    { engine: ${driver.portYardEngine}, host: ${driver.host}, port: ${driver.port}, user: ${driver.user},`,
    `      databases: [${database}], destinations: [${names.join(', ')}] }`,
    '',
  ].join('\n');
  await writeFile(configPath, yaml, { mode: 0o600 });
  return { configPath, target, database, destinations: storages.map((s) => s.destination), ...extra };
}

/** A filesystem storage `name` at `storePath` (created empty). */
export async function filesystemStorage(
  name: string,
  storePath: string,
  target: string,
  database: string,
): Promise<BenchStorage> {
  await mkdir(storePath, { recursive: true, mode: 0o700 });
  return {
    yaml: [`  ${name}: { type: filesystem, path: ${JSON.stringify(storePath)} }`],
    destination: {
      storage: name,
      verify: (artifact) => verifyFile(join(storePath, target, database), artifact),
      clear: async () => {
        await rm(storePath, { recursive: true, force: true });
        await mkdir(storePath, { recursive: true, mode: 0o700 });
      },
    },
  };
}

/** Writes a config with one filesystem storage and one target for `database`. */
export async function writePortYardConfig(
  driver: BenchEngineDriver,
  database: string,
  workDir: string,
): Promise<PortYardSetup> {
  const storage = await filesystemStorage(
    'bench',
    join(workDir, 'port-yard-store'),
    `bench-${driver.name}`,
    database,
  );
  const configPath = join(workDir, `port-yard-${driver.name}-${database}.yaml`);
  return writeTargetConfig(driver, database, configPath, [storage]);
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
    env: setup.env ? { ...process.env, ...setup.env } : undefined,
    serverComms,
    sidePids: setup.sidePids,
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
    const verifyProblems: string[] = [];
    for (const destination of setup.destinations) {
      const outcome = artifact.destinations?.find((entry) => entry.storage === destination.storage);
      if (outcome && !outcome.committed) verifyProblems.push(`not committed to ${destination.storage}`);
      verifyProblems.push(...(await destination.verify(artifact)));
    }
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
    // Each run starts with empty storages.
    for (const destination of setup.destinations) await destination.clear();
  }
}

/** The one `<id>*.zst` data file in `folder`: its size and sha256 match the report, zstd -dc gives rawBytes. */
async function verifyFile(folder: string, artifact: CliArtifact): Promise<string[]> {
  const names = (await readdir(folder).catch(() => [])).filter(
    (name) => name.startsWith(artifact.id) && name.endsWith('.zst'),
  );
  if (names.length !== 1)
    return [`expected one ${artifact.id}*.zst in ${folder}, found ${names.join(', ') || 'none'}`];
  const file = join(folder, names[0]!);
  return checkStoredObject(createReadStream(file, { highWaterMark: 1 << 20 }), artifact, `file ${file}`);
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
