import { configSchema } from '@port-yard/shared';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Scalar } from 'yaml';
import type { ConfigProblem } from './config-error.ts';
import { formatConfigPath } from './config-path.ts';
import { interpolate, referencedVariables } from './interpolate.ts';
import type { ConfigEnv } from './interpolate.ts';
import { isSecretField } from './redact-config.ts';
import { scalarKindAt, schemasAt } from './schema-at-path.ts';
import type { YamlLocator } from './yaml-locator.ts';

/** A value that held `${...}`: the variables it named and the text they made of it. */
export interface Substitution {
  readonly variables: readonly string[];
  readonly value: string;
  /** A field `redactConfig` hides: its value must never be shown. */
  readonly secret: boolean;
}

export interface DocumentInterpolation {
  /** One per unresolvable reference, at the value that holds it. */
  readonly problems: ConfigProblem[];
  /** Every value that held a reference, by path (`targets.db.port`): for validation messages. */
  readonly substitutions: ReadonlyMap<string, Substitution>;
}

/**
 * Applies `${VAR}` interpolation (see interpolate.ts) to every string value in the document, in
 * place, before validation. Keys are never interpolated. The substituted text becomes a number or
 * a boolean (`port: ${DB_PORT}`, `safetyBackup: ${SAFE}`, `keepSafetyBackups: ${KEEP}` = false)
 * where the field takes one and not the text itself, as YAML would have read it written in place
 * (`5432`; `true`/`True`/`TRUE`, `false`/…); everywhere else it stays a string, so a password of
 * digits stays text.
 */
export function interpolateDocument(
  doc: Document,
  env: ConfigEnv,
  locator: YamlLocator,
): DocumentInterpolation {
  const problems: ConfigProblem[] = [];
  const substitutions = new Map<string, Substitution>();
  walkStrings(doc.contents, [], (scalar, path) => {
    const text = scalar.value as string;
    const result = interpolate(text, env);
    if (!result.hadReferences) return;
    const position = locator.valueAt(path);
    for (const message of result.problems) {
      problems.push({ path: formatConfigPath(path), ...position, message });
    }
    substitutions.set(formatConfigPath(path), {
      variables: referencedVariables(text),
      value: result.value,
      secret: isSecretField(path),
    });
    scalar.value = convert(result.value, path);
  });
  return { problems, substitutions };
}

/** What YAML's core schema reads as a number or a boolean. */
function typedValue(text: string): number | boolean | undefined {
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(text)) return Number(text);
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  return undefined;
}

interface Parseable {
  safeParse(value: unknown): { success: boolean };
}

function convert(text: string, path: readonly PropertyKey[]): unknown {
  const typed = typedValue(text);
  if (typed === undefined) return text;
  const schemas = schemasAt(configSchema, path) as Parseable[];
  const accepts = (value: unknown): boolean => schemas.some((schema) => schema.safeParse(value).success);
  if (accepts(text)) return text;
  if (accepts(typed)) return typed;
  // Neither fits (port 70000): the type the field takes, so the problem is about the value.
  return scalarKindAt(configSchema, path) === typeof typed ? typed : text;
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
