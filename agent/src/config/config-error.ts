import { PortYardError } from '@port-yard/shared';

/**
 * One thing wrong with a config file. `path` is dotted (`targets.shop.port`, `tiers[0].every`;
 * empty for the file as a whole); `line` and `column` are 1-based and point at the offending
 * YAML node, or at the mapping that lacks a required key. Messages never contain secret values.
 */
export interface ConfigProblem {
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** A config file that cannot be used, with every problem found in it (not only the first). */
export class ConfigError extends PortYardError {
  /** The config file as the caller named it (shown to the user as given). */
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[], options: { cause?: unknown } = {}) {
    super('CONFIG_INVALID', summarize(file, problems), { phase: 'config', cause: options.cause });
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

function summarize(file: string, problems: readonly ConfigProblem[]): string {
  const first = problems[0];
  if (!first) return `${file}: invalid config`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `${file}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`;
}
