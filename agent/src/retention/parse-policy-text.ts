import { LineCounter, parseDocument } from 'yaml';
import { PortYardError, retentionSchema } from '@port-yard/shared';
import type { RetentionPolicy } from '@port-yard/shared';
import { closestName } from '../config/closest-name.ts';
import { formatConfigPath } from '../config/config-path.ts';
import { valueAt } from '../config/schema-problems.ts';
import { createYamlLocator } from '../config/yaml-locator.ts';
import type { SourcePosition } from '../config/yaml-locator.ts';

const policyKeys = ['keepLast', 'tiers', 'maxDeletePerRun'];

/**
 * A retention policy file, YAML or JSON (JSON is YAML): `{ keepLast, tiers: [{ every, for }],
 * maxDeletePerRun }`, or the same under a single `retention:` key, as pasted from a config file.
 * Validated whole with the config's own schema; every problem is reported at once, one line
 * each, as `<file>:<line>:<col>  <path>: <message>`, in a PortYardError INVALID_INPUT.
 */
export function parsePolicyText(text: string, file: string): RetentionPolicy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (position: SourcePosition | undefined) =>
    position ? `${file}:${position.line}:${position.column}` : file;
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return `${where({ line, column: col })}  YAML syntax: ${error.message}`;
    });
    throw new PortYardError('INVALID_INPUT', lines.join('\n'));
  }

  let data: unknown = doc.toJS({ maxAliasCount: 100 });
  let base: string[] = [];
  if (isRecord(data) && Object.keys(data).length === 1 && 'retention' in data) {
    data = data.retention;
    base = ['retention'];
  }
  if (!isRecord(data)) {
    throw new PortYardError(
      'INVALID_INPUT',
      `${file}: must be a mapping such as { keepLast: 3, tiers: [...] }`,
    );
  }
  const result = retentionSchema.safeParse(data);
  if (result.success) return result.data;

  const locator = createYamlLocator(doc, lineCounter);
  const lines = result.error.issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const guess = closestName(key, policyKeys) ?? closestName(key, ['every', 'for']);
        const hint = guess ? ` (did you mean "${guess}"?)` : '';
        return `${where(locator.keyAt([...path, key]))}  ${formatConfigPath([...path, key])}: unknown key "${key}"${hint}`;
      });
    }
    const label = formatConfigPath(path);
    // A key that is not there: "is required", not "expected string, received undefined".
    const missing = issue.code === 'invalid_type' && valueAt(data, issue.path) === undefined;
    const message = missing ? 'is required' : issue.message.replace(/^Invalid input: /, '');
    return [`${where(locator.valueAt(path))}  ${label ? `${label}: ` : ''}${message}`];
  });
  throw new PortYardError('INVALID_INPUT', lines.join('\n'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
