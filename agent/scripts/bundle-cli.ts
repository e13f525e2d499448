// `npm run build:agent`: bundles the CLI into agent/dist/cli, which agent/bin/port-yard.js runs
// instead of the TypeScript sources while the bundle is fresh (agent/bin/cli-bundle.js).
//
// Why: the sources are some 400 ES modules (our files, zod, yaml); resolving and linking them took
// about 0.3 s of every CLI run, most of a small backup and ~6% of a 500 MB one. One bundle with
// its lazily loaded chunks starts in about 0.1 s. Packages that load files at run time, have
// native parts or are loaded only on first use stay outside (resolved from node_modules).
import { stat, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const agentRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// `--out <dir>` (tests): another folder, which must also be two levels below the agent folder,
// as agent/dist/cli is, so that paths relative to the bundle's files (the web console) hold.
const outFlag = process.argv.indexOf('--out');
const outDir = outFlag > 0 ? resolve(process.argv[outFlag + 1]!) : join(agentRoot, 'dist', 'cli');

/**
 * Bundled: our code, the small pure-JS packages every command loads, and the PostgreSQL driver
 * with what it imports. The driver is loaded once a backup's first SQL check runs, beside the
 * dump: from node_modules, resolving its ~50 files took 35-55 ms of CPU that the dump and its
 * compressor wanted; bundled, 20-30 ms. (mysql2 stays outside: bundled, it took as long, 75-100
 * ms, most of it spent on its error table and certificate bundle.) Everything else is external.
 */
const bundled = ['zod', 'yaml', 'commander', 'croner', '@port-yard/shared', 'pg'];
/** Parts pg loads only on request, and that are not installed (a native binding, Workers). */
const optional = ['pg-native', 'pg-cloudflare'];
const packageOf = (id: string): string =>
  id
    .split('/')
    .slice(0, id.startsWith('@') ? 2 : 1)
    .join('/');
const isBundled = (id: string, importer: string | undefined): boolean => {
  if (id.startsWith('.') || id.startsWith('/')) return true;
  if (id.startsWith('node:') || isBuiltin(id) || optional.includes(packageOf(id))) return false;
  // Only bundled packages' files are read: what they import comes with them.
  if (importer?.includes(`${sep}node_modules${sep}`)) return true;
  return bundled.includes(packageOf(id));
};

await rm(outDir, { recursive: true, force: true });
const result = await build({
  input: join(agentRoot, 'src', 'cli', 'main.ts'),
  platform: 'node',
  external: (id, importer) => !isBundled(id, importer),
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
