// `serve` runs for months, and glibc's malloc let its memory creep up: each time a large block
// (a read buffer, an S3 part) is freed, glibc raises its mmap threshold, so later large blocks come
// from the heap and leave holes in it. Measured, small PostgreSQL backups in a row through the API:
// 113 MB after the first, 128 MB after 200 (157 MB after 300 on another machine), where a fixed
// threshold (glibc's own starting value, 128 KiB) kept the agent at 116-117 MB over 150. glibc reads
// MALLOC_MMAP_THRESHOLD_ only when a process starts, so `serve` starts itself once more, in place
// (execve: the same process id, for tini, systemd and Kubernetes), with it set. Not the one-shot
// commands (a second start would cost them ~0.1 s), nor where the user set it already. The tools
// the agent starts inherit it: pg_dump and zstd ran as fast with it as without (hyperfine).

/** The command of a `port-yard` command line: its first word that is not the global option. */
export function commandOf(args) {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '-c' || arg === '--config') index += 1;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** The environment `serve` should run with instead of `env`, or undefined when it runs as is. */
export function serveEnvironment(args, env, platform) {
  if (platform !== 'linux' || commandOf(args) !== 'serve') return undefined;
  if (env.MALLOC_MMAP_THRESHOLD_ !== undefined) return undefined;
  return { ...env, MALLOC_MMAP_THRESHOLD_: '131072' };
}

/** Starts this process over with `serveEnvironment` when it has one (it then never returns). */
export function restartServeWithFixedMallocThreshold() {
  const env = serveEnvironment(process.argv.slice(2), process.env, process.platform);
  if (env === undefined || typeof process.execve !== 'function') return;
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], env);
}
