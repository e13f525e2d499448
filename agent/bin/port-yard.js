#!/usr/bin/env -S node --disable-warning=ExperimentalWarning --max-semi-space-size=1
// The agent runs its TypeScript sources directly: Node 24 strips types. `npm run build:agent`
// (run by `npm ci` and `npm start`) also bundles the CLI, which starts ~0.2 s faster; it runs
// instead of the sources only while it is fresh (cli-bundle.js).
// The compile cache (in the OS temp folder) halves start-up from the second run on.
// --max-semi-space-size=1 keeps the young generation small: the streaming pipeline allocates a
// buffer per chunk, and a larger young generation only lets garbage pile up (135 MB vs 205 MB).
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { freshBundle } from './cli-bundle.js';
import { restartServeWithFixedMallocThreshold } from './serve-malloc.js';

restartServeWithFixedMallocThreshold();
module.enableCompileCache?.();
const bundle = freshBundle(fileURLToPath(new URL('../dist/cli', import.meta.url)));
await import(bundle ?? '../src/cli/main.ts');
