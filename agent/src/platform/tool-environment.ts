/**
 * The environment of the tools Port-Yard starts (dump and restore tools, zstd, age, rclone, a
 * `dumpCommand` wrapper): its own, less the variables that filled a secret field of the config
 * (`password: ${DB_PASSWORD}`). The tools get a password from a 0600 file, never from there, and
 * would otherwise carry every such secret in their `/proc/<pid>/environ`.
 *
 * Kept here for the process, beside `process.env` (which stays whole: this process reads it
 * again, for a reload, a second load of the config, or the S3 SDK's own credential chain).
 */
const hidden = new Set<string>();

/** Adds the names of variables the tools must not inherit. */
export function hideFromTools(names: Iterable<string>): void {
  for (const name of names) hidden.add(name);
}

/** This process's environment for a tool, with `overrides` (`undefined` removes a variable). */
export function toolEnvironment(
  overrides: Readonly<Record<string, string | undefined>> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of hidden) delete env[name];
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
