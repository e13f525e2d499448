/**
 * Just enough introspection of the zod config schema to answer two questions the loader has about
 * a spot in the YAML: which keys are allowed there (to suggest a fix for a typo) and whether a
 * number or a boolean is expected (to convert a `${VAR}` substitution). It reads zod 4's
 * documented `_zod.def`; anything it does not understand answers "unknown", never throws.
 */

interface SchemaDef {
  readonly type: string;
  readonly innerType?: unknown;
  readonly shape?: Readonly<Record<string, unknown>>;
  readonly valueType?: unknown;
  readonly element?: unknown;
  readonly options?: readonly unknown[];
  readonly in?: unknown;
  readonly values?: readonly unknown[];
}

export type ScalarKind = 'number' | 'boolean' | 'string' | 'other';

function defOf(schema: unknown): SchemaDef | undefined {
  const def = (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
  return typeof def?.type === 'string' ? def : undefined;
}

/** The schemas that may apply at `path`: several where a union does not decide which. */
export function schemasAt(root: unknown, path: readonly PropertyKey[]): unknown[] {
  let current = unwrap(root);
  for (const segment of path) {
    current = current.flatMap((schema) => unwrap(childOf(schema, segment)));
    if (current.length === 0) break;
  }
  return current;
}

/** Keys an object at `path` may have (over every union member), for "did you mean" hints. */
export function allowedKeysAt(root: unknown, path: readonly PropertyKey[]): string[] {
  const keys = schemasAt(root, path).flatMap((schema) => Object.keys(defOf(schema)?.shape ?? {}));
  return [...new Set(keys)];
}

/** What kind of scalar the schema expects at `path`: `other` when unknown or ambiguous. */
export function scalarKindAt(root: unknown, path: readonly PropertyKey[]): ScalarKind {
  const kinds = new Set(schemasAt(root, path).map(scalarKind));
  kinds.delete('other');
  const [only] = kinds;
  return kinds.size === 1 && only ? only : 'other';
}

function scalarKind(schema: unknown): ScalarKind {
  const def = defOf(schema);
  if (def?.type === 'number') return 'number';
  if (def?.type === 'boolean') return 'boolean';
  if (def?.type === 'string' || def?.type === 'enum') return 'string';
  if (def?.type === 'literal') {
    const types = new Set(def.values?.map((value) => typeof value));
    if (types.size === 1 && (types.has('number') || types.has('boolean') || types.has('string'))) {
      return [...types][0] as ScalarKind;
    }
  }
  return 'other';
}

function childOf(schema: unknown, segment: PropertyKey): unknown {
  const def = defOf(schema);
  if (def?.type === 'object') return def.shape?.[String(segment)];
  if (def?.type === 'record') return def.valueType;
  if (def?.type === 'array' && typeof segment === 'number') return def.element;
  return undefined;
}

/** Looks through optional/default/prefault/pipe wrappers and spreads unions into their members. */
function unwrap(schema: unknown): unknown[] {
  const def = defOf(schema);
  if (!def) return [];
  if (['optional', 'default', 'prefault', 'nullable'].includes(def.type)) return unwrap(def.innerType);
  if (def.type === 'pipe') return unwrap(def.in);
  if (def.type === 'union') return (def.options ?? []).flatMap(unwrap);
  return [schema];
}
