/** The command of a `port-yard` command line (see serve-malloc.js). */
export function commandOf(args: readonly string[]): string | undefined;
/** The environment `serve` should run with instead of `env`, or undefined when it runs as is. */
export function serveEnvironment(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): NodeJS.ProcessEnv | undefined;
/** Starts this process over with `serveEnvironment` when it has one (it then never returns). */
export function restartServeWithFixedMallocThreshold(): void;
