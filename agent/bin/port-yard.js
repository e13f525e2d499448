#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
// The agent runs its TypeScript sources directly: Node 24 strips types (no build step).
import '../src/cli/main.ts';
