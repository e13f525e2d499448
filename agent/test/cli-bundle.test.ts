import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBundle } from '../bin/cli-bundle.js';
import { postgresExec, uniqueName } from './harness/sql.ts';

/**
 * The bundled CLI (`npm run build:agent`): built into a folder of its own here, then run for a
 * real backup; and the rule that keeps a stale bundle from ever running instead of the sources.
 */
const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '../..');
const node = join(repoRoot, 'node_modules/.bin/node');
const outDir = join(repoRoot, 'agent/dist', uniqueName('cli-test'));
const database = uniqueName('py_t_bundle');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-bundle-'));
  await postgresExec(`CREATE DATABASE ${database}`);
  await postgresExec(
    'CREATE TABLE t (id int primary key, body text); INSERT INTO t VALUES (1, $$ok$$)',
    database,
  );
  await run(node, [join(repoRoot, 'agent/scripts/bundle-cli.ts'), '--out', outDir]);
}, 120_000);

afterAll(async () => {
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await rm(outDir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

describe('the bundled CLI', () => {
  it('is fresh right after the build, and backs up a real database', async () => {
    expect(freshBundle(outDir)).toBe(join(outDir, 'main.js'));
    const config = join(dir, 'port-yard.yaml');
    await writeFile(
      config,
      `version: 1
storages: { local: { type: filesystem, path: ${JSON.stringify(join(dir, 'backups'))} } }
targets:
  pg: { engine: postgres, host: 127.0.0.1, port: 5432, user: postgres, databases: [${database}], destinations: [local] }
`,
    );
    const { stdout } = await run(node, [
      join(outDir, 'main.js'),
      '--config',
      config,
      'backup',
      'pg',
      '--json',
    ]);
    const result = JSON.parse(stdout) as { status: string; artifacts: { id: string }[] };
    expect(result.status).toBe('succeeded');
    const listed = await run(node, [join(outDir, 'main.js'), '--config', config, 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: result.artifacts[0]!.id })]);
  });

  it('records every module it was built from, ours and the bundled packages', async () => {
    const stamp = JSON.parse(await readFile(join(outDir, 'inputs.json'), 'utf8')) as {
      inputs: [string, number, number][];
    };
    const paths = stamp.inputs.map(([path]) => path);
    expect(paths).toContain('../../src/cli/main.ts');
    expect(paths).toContain('../../../shared/src/index.ts');
    expect(paths.some((path) => path.includes('node_modules/zod/'))).toBe(true);
  });
});

describe('freshBundle', () => {
  async function fakeBundle(): Promise<{ out: string; input: string }> {
    const out = await mkdtemp(join(dir, 'out-'));
    const input = join(out, 'source.ts');
    await writeFile(input, 'export {};\n');
    await utimes(input, 1_700_000_000, 1_700_000_000);
    await writeFile(
      join(out, 'inputs.json'),
      JSON.stringify({ entry: 'main.js', inputs: [['source.ts', 11, 1_700_000_000_000]] }),
    );
    return { out, input };
  }

  it('answers the entry while every input is unchanged', async () => {
    const { out } = await fakeBundle();
    expect(freshBundle(out)).toBe(join(out, 'main.js'));
  });

  it('answers undefined (run the sources) once an input changed or is gone', async () => {
    const touched = await fakeBundle();
    await utimes(touched.input, 1_700_000_001, 1_700_000_001);
    expect(freshBundle(touched.out)).toBeUndefined();
    const edited = await fakeBundle();
    await writeFile(edited.input, 'export const x = 1;\n');
    expect(freshBundle(edited.out)).toBeUndefined();
    const removed = await fakeBundle();
    await rm(removed.input);
    expect(freshBundle(removed.out)).toBeUndefined();
  });

  it('answers undefined without a stamp, or when PORT_YARD_SOURCES=1', async () => {
    expect(freshBundle(join(dir, 'no-such-bundle'))).toBeUndefined();
    const { out } = await fakeBundle();
    process.env.PORT_YARD_SOURCES = '1';
    try {
      expect(freshBundle(out)).toBeUndefined();
    } finally {
      delete process.env.PORT_YARD_SOURCES;
    }
  });
});
