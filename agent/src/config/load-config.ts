import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { configSchema } from '@port-yard/shared';
import type { PortYardConfig } from '@port-yard/shared';
import { fileErrorReason } from '../platform/file-error-reason.ts';
import { ConfigError } from './config-error.ts';
import type { ConfigProblem } from './config-error.ts';
import { interpolateDocument, type Substitution } from './interpolate-document.ts';
import type { ConfigEnv } from './interpolate.ts';
import { documentData, parseConfigYaml } from './parse-config-yaml.ts';
import { readSecretFiles } from './read-secret-files.ts';
import { resolveConfigPaths } from './resolve-config-paths.ts';
import { problemsFromIssues } from './schema-problems.ts';
import { sharedStoragePlaces } from './storage-places.ts';

export interface LoadConfigOptions {
  /** Where `${VAR}` references are looked up; process.env by default. */
  readonly env?: ConfigEnv;
  /** Receives the names of the variables that fill a secret field (a password, a key, a token). */
  readonly secretVariables?: Set<string>;
}

/**
 * Reads, interpolates, validates and normalizes one YAML config file.
 *
 * The result has the schema's defaults filled in, every relative path (storage paths,
 * passwordFile, tls files) made absolute against the config file's folder, and each
 * `passwordFile`'s content in `password` (`passwordFile` stays, as an absolute path, to say where
 * the password came from). Throws a ConfigError listing every problem at once, each with its
 * path and line:column; the stages run as far as they can so one run shows them all.
 */
export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<PortYardConfig> {
  const env = options.env ?? process.env;
  const baseDir = dirname(resolve(file));
  const text = await readConfigText(file);

  const parsed = parseConfigYaml(text);
  if (!parsed.ok) throw new ConfigError(file, parsed.problems);
  const { doc, locator } = parsed;

  const { problems: interpolationProblems, substitutions } = interpolateDocument(doc, env, locator);
  for (const substitution of substitutions.values())
    if (substitution.secret) for (const name of substitution.variables) options.secretVariables?.add(name);
  const read = documentData(doc);
  if ('problem' in read) throw new ConfigError(file, [...interpolationProblems, read.problem]);

  const result = configSchema.safeParse(read.data);
  const schemaProblems = result.success
    ? []
    : problemsFromIssues(result.error.issues, { locator, data: read.data }).map((problem) =>
        withSubstitution(problem, substitutions),
      );
  const secretFiles = await readSecretFiles(read.data, { baseDir, locator });
  const config = result.success ? resolveConfigPaths(result.data, baseDir) : undefined;
  const problems = [
    ...interpolationProblems,
    // An unresolved ${VAR} leaves '' behind; what the schema thinks of that '' is noise.
    ...schemaProblems.filter(
      (problem) => !interpolationProblems.some((cause) => isWithin(problem.path, cause.path)),
    ),
    ...secretFiles.problems,
    ...(config ? sharedStoragePlaces(config.storages, locator) : []),
  ];
  if (problems.length > 0 || !config) throw new ConfigError(file, sortByPosition(problems));

  for (const { section, name, key, value } of secretFiles.secrets) {
    const entries = section.reduce<unknown>(
      (parent, step) => (parent as Record<string, unknown> | undefined)?.[step],
      config,
    ) as Record<string, Record<string, unknown>> | undefined;
    const entry = entries?.[name];
    if (entries && entry) entries[name] = { ...entry, [key]: value };
  }
  return config;
}

async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = fileErrorReason(error);
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file: ${reason}` }], {
      cause: error,
    });
  }
}

/** Longer values are cut: enough to see a stray space or a wrong word, not a whole certificate. */
const shownValueLength = 60;

/**
 * Where a credential may sit in a value that is not a secret field: a user name and password
 * (`@`, also behind a `/` in the password or a mistyped `https//`), a URL's query or fragment
 * (`?token=`, `#`), a connection string's `key=value` (an rclone remote such as
 * `:s3,secret_access_key=…:bucket`).
 */
const mayHoldCredential = /[@?#=]/;

/**
 * A problem with a value that came from `${VAR}`: says so, and what the variable made of it
 * (`"54x"`, `" 5432"`, `""`) unless the field is a secret, whose value is never shown.
 */
function withSubstitution(
  problem: ConfigProblem,
  substitutions: ReadonlyMap<string, Substitution>,
): ConfigProblem {
  const substitution = substitutions.get(problem.path);
  if (!substitution || substitution.variables.length === 0) return problem;
  const from = substitution.variables.map((name) => `\${${name}}`).join(', ');
  const value = substitution.value;
  const shown = substitution.secret
    ? 'not shown: a secret'
    : mayHoldCredential.test(value)
      ? 'not shown: it has @, ?, # or =, where a password or token may sit'
      : JSON.stringify(value.length > shownValueLength ? `${value.slice(0, shownValueLength)}…` : value);
  return { ...problem, message: `${problem.message} (from ${from}: ${shown})` };
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);
}

/** File order reads best; problems without a position (the file as a whole) come first. */
function sortByPosition(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
