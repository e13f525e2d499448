import type { ConfigError } from './config-error.ts';

/**
 * The problems of a ConfigError as text for a terminal, one line each, in the form editors and
 * CI logs turn into links: `<file>:<line>:<col>  <path>: <message>`. The position or the path is
 * left out when a problem has none (an unreadable file, a YAML syntax error).
 */
export function formatConfigErrors(error: ConfigError): string {
  return error.problems
    .map((problem) => {
      const where =
        problem.line === undefined ? error.file : `${error.file}:${problem.line}:${problem.column ?? 1}`;
      const what = problem.path ? `${problem.path}: ${problem.message}` : problem.message;
      return `${where}  ${what}`;
    })
    .join('\n');
}
