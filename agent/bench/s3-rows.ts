import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { checkStoredObject, type CliArtifact } from './artifact-check.ts';
import type { BenchEngineDriver, DumpInvocation } from './bench-engine.ts';
import { dumpEnv, dumpShell } from './dump-shell.ts';
import type { MethodRun } from './method-run.ts';
import {
  filesystemStorage,
  runPortYardBackup,
  writeTargetConfig,
  type BenchStorage,
} from './port-yard-runner.ts';
import { accessKeyVar, secretKeyVar, type BenchS3 } from './s3-server.ts';
import { runQuiet, shellQuote, timedRun } from './timed-run.ts';

/**
 * The S3 rows of a size's table: Port-Yard backing up to s3rver, Port-Yard backing up to the
 * filesystem and s3rver in one run, and the SDK uploading a same-size zstd file to s3rver without
 * Port-Yard (the server's own ceiling).
 */
export interface S3Method {
  readonly id: 'port-yard-s3' | 'port-yard-both' | 's3-upload';
  readonly label: string;
  readonly run: () => Promise<MethodRun>;
}

const uploadChild = fileURLToPath(new URL('./s3-upload-child.ts', import.meta.url));

/** An S3 storage `name` on the bench's s3rver; its copy is downloaded back and checked. */
function s3Storage(name: string, s3: BenchS3, target: string, database: string): BenchStorage {
  return {
    yaml: [
      `  ${name}:`,
      '    type: s3',
      `    bucket: ${s3.bucket}`,
      `    endpoint: ${JSON.stringify(s3.endpoint)}`,
      '    forcePathStyle: true',
      `    accessKeyId: '\${${accessKeyVar}}'`,
      `    secretAccessKey: '\${${secretKeyVar}}'`,
    ],
    destination: {
      storage: name,
      verify: (artifact) => verifyS3Object(s3, `${target}/${database}/${artifact.id}`, artifact),
      clear: () => s3.clear(),
    },
  };
}

/** The artifact's data object (one `<id>*.zst`) and its manifest exist; the data checks out. */
async function verifyS3Object(s3: BenchS3, prefix: string, artifact: CliArtifact): Promise<string[]> {
  const page = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  const keys = (page.Contents ?? []).flatMap((entry) => (entry.Key ? [entry.Key] : []));
  const data = keys.filter((key) => key.endsWith('.zst'));
  if (data.length !== 1) return [`expected one ${prefix}*.zst in S3, found ${data.join(', ') || 'none'}`];
  const problems = keys.some((key) => key.endsWith('.manifest.json')) ? [] : [`no S3 manifest for ${prefix}`];
  const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: data[0] }));
  const where = `s3://${s3.bucket}/${data[0]}`;
  return [...problems, ...(await checkStoredObject(object.Body as Readable, artifact, where))];
}

export async function s3Methods(
  driver: BenchEngineDriver,
  database: string,
  dump: DumpInvocation,
  workDir: string,
  s3: BenchS3,
): Promise<{ methods: S3Method[]; cleanup: () => Promise<void> }> {
  const target = `bench-${driver.name}`;
  const sidePids = s3.pid === undefined ? [] : [s3.pid];
  const extra = { env: s3.env, sidePids };
  const configPath = (kind: string): string =>
    join(workDir, `port-yard-${driver.name}-${database}-${kind}.yaml`);
  const toS3 = await writeTargetConfig(
    driver,
    database,
    configPath('s3'),
    [s3Storage('offsite', s3, target, database)],
    extra,
  );
  const local = await filesystemStorage('local', join(workDir, 'port-yard-store-both'), target, database);
  const toBoth = await writeTargetConfig(
    driver,
    database,
    configPath('both'),
    [local, s3Storage('offsite', s3, target, database)],
    extra,
  );

  // What the upload-alone row sends: this dump through zstd -3, made once (untimed).
  const source = join(workDir, 's3-upload-source.zst');
  await runQuiet(
    'bash',
    ['-o', 'pipefail', '-c', `${dumpShell(dump)} | zstd -q -c -3 -T0 > ${shellQuote(source)}`],
    dumpEnv(dump),
  );
  const uploadAlone = async (): Promise<MethodRun> => {
    const key = 'upload-alone/source.zst';
    const result = await timedRun({
      command: process.execPath,
      args: ['--disable-warning=ExperimentalWarning', uploadChild, source, s3.endpoint, s3.bucket, key],
      env: { ...process.env, ...s3.env },
      serverComms: driver.serverComms,
      sidePids,
    });
    try {
      if (result.code !== 0)
        throw new Error(`S3 upload alone failed (${result.code}): ${result.stderr.trim()}`);
      const { bytes, uploadMs } = JSON.parse(result.stdout) as { bytes: number; uploadMs: number };
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
      if (head.ContentLength !== bytes)
        throw new Error(`S3 upload alone: the object has ${head.ContentLength} bytes, the file ${bytes}`);
      return {
        wallMs: result.wallMs,
        outputBytes: bytes,
        usage: result.usage,
        treeCpuMs: result.treeCpuMs,
        innerMs: uploadMs,
      };
    } finally {
      await s3.clear();
    }
  };

  return {
    methods: [
      {
        id: 'port-yard-s3',
        label: 'Port-Yard CLI backup to S3',
        run: () => runPortYardBackup(toS3, driver.serverComms),
      },
      {
        id: 'port-yard-both',
        label: 'Port-Yard CLI backup to fs + S3',
        run: () => runPortYardBackup(toBoth, driver.serverComms),
      },
      { id: 's3-upload', label: 'S3 upload alone (SDK, zstd file)', run: uploadAlone },
    ],
    cleanup: async () => {
      await rm(source, { force: true });
      await local.destination.clear();
    },
  };
}
