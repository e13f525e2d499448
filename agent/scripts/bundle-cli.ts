// `npm run build:agent`: bundles the CLI into agent/dist/cli, which agent/bin/port-yard.js runs
// instead of the TypeScript sources while the bundle is fresh (agent/bin/cli-bundle.js).
//
// Why: the sources are some 400 ES modules (our files, zod, yaml); resolving and linking them took
// about 0.3 s of every CLI run, most of a small backup and ~6% of a 500 MB one. One bundle with
// its lazily loaded chunks starts in about 0.1 s. Packages that load files at run time, have
// native parts or are loaded only on first use stay outside (resolved from node_modules).
import { stat, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const agentRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// `--out <dir>` (tests): another folder, which must also be two levels below the agent folder,
// as agent/dist/cli is, so that paths relative to the bundle's files (the web console) hold.
const outFlag = process.argv.indexOf('--out');
const outDir = outFlag > 0 ? resolve(process.argv[outFlag + 1]!) : join(agentRoot, 'dist', 'cli');

/** Bundled: our code and the small pure-JS packages every command loads. Everything else is external. */
const bundled = ['zod', 'yaml', 'commander', 'croner', '@port-yard/shared'];
const isBundled = (id: string): boolean =>
  id.startsWith('.') ||
  id.startsWith('/') ||
  bundled.some((name) => id === name || id.startsWith(`${name}/`));

await rm(outDir, { recursive: true, force: true });
const result = await build({
  input: join(agentRoot, 'src', 'cli', 'main.ts'),
  platform: 'node',
  external: (id) => !isBundled(id),
  logLevel: 'warn',
  output: { dir: outDir, format: 'esm', entryFileNames: 'main.js', chunkFileNames: '[name]-[hash].js' },
});

// Every file the bundle was made from, with its size and mtime: the bin runs the bundle only
// while all of them are unchanged (an edited source, `npm ci` or a checkout makes it stale).
const inputs = new Set(result.output.flatMap((file) => ('moduleIds' in file ? file.moduleIds : [])));
const stamp: [string, number, number][] = [];
for (const id of [...inputs].filter((id) => id.startsWith('/')).sort()) {
  const info = await stat(id);
  stamp.push([relative(outDir, id), info.size, info.mtimeMs]);
}
await writeFile(join(outDir, 'inputs.json'), JSON.stringify({ entry: 'main.js', inputs: stamp }));
console.log(
  `bundled the CLI into ${relative(process.cwd(), outDir)}: ${result.output.length} files from ${stamp.length} modules`,
);
