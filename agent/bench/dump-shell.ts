import type { DumpInvocation } from './bench-engine.ts';
import { shellQuote } from './timed-run.ts';

/** The dump command line for `bash -c` (arguments quoted; no secrets: those are in files or env). */
export function dumpShell(dump: DumpInvocation): string {
  return [dump.command, ...dump.args].map(shellQuote).join(' ');
}

/** The environment the dump tool gets: ours with the invocation's changes (`undefined` removes). */
export function dumpEnv(dump: DumpInvocation): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(dump.env)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
