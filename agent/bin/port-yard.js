#!/usr/bin/env -S node --disable-warning=ExperimentalWarning --max-semi-space-size=1
// The agent runs its TypeScript sources directly: Node 24 strips types (no build step).
// The compile cache (in the OS temp folder) halves start-up from the second run on.
// --max-semi-space-size=1 keeps the young generation small: the pipeline allocates a buffer per
// chunk, and a larger young generation only lets garbage pile up (measured: 135 MB flat vs 205 MB).
import module from 'node:module';

module.enableCompileCache?.();
await import('../src/cli/main.ts');
