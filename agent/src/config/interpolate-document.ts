import { configSchema } from '@port-yard/shared';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Scalar } from 'yaml';
import type { ConfigProblem } from './config-error.ts';
import { formatConfigPath } from './config-path.ts';
import { interpolate } from './interpolate.ts';
import type { ConfigEnv } from './interpolate.ts';
import { scalarKindAt } from './schema-at-path.ts';
import type { YamlLocator } from './yaml-locator.ts';

/**
 * Applies `${VAR}` interpolation (see interpolate.ts) to every string value in the document, in
 * place, before validation. Keys are never interpolated. A value that held a reference, in a
 * field that takes a number or a boolean (`port: ${DB_PORT}`), is converted when the substituted
 * text is one; everywhere else the result stays a string, so a password of digits stays text.
 * Returns one problem per unresolvable reference, at the value that holds it.
 */
export function interpolateDocument(doc: Document, env: ConfigEnv, locator: YamlLocator): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  walkStrings(doc.contents, [], (scalar, path) => {
    const result = interpolate(scalar.value as string, env);
    if (!result.hadReferences) return;
    const position = locator.valueAt(path);
    for (const message of result.problems) {
      problems.push({ path: formatConfigPath(path), ...position, message });
    }
    scalar.value = convert(result.value, scalarKindAt(configSchema, path));
  });
  return problems;
}

function convert(text: string, kind: ReturnType<typeof scalarKindAt>): unknown {
  if (kind === 'number' && /^-?[0-9]+(\.[0-9]+)?$/.test(text)) return Number(text);
  if (kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** Visits string scalars that are values (not keys); an `*alias` is visited where its anchor is. */
function walkStrings(
  node: unknown,
  path: PropertyKey[],
  visit: (scalar: Scalar, path: PropertyKey[]) => void,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      walkStrings(pair.value, [...path, String(key)], visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => walkStrings(item, [...path, index], visit));
  } else if (isScalar(node) && typeof node.value === 'string') {
    visit(node, path);
  }
}
