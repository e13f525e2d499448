import { configSchema } from '@port-yard/shared';

/** Where the generated schema is committed, relative to the repository root. */
export const configJsonSchemaFile = 'config/port-yard.schema.json';

/**
 * The JSON Schema of the config file as committed text, for editors (the example's first line
 * points yaml-language-server at it). Generated from the zod schema by zod's own converter, for
 * the *input* side, so keys with defaults are optional. Draft-07, as that is the draft editor
 * YAML/JSON language servers support most fully. Deterministic: schema keywords are sorted, and
 * `properties` keep the schema's order (the order that reads as documentation), then two-space
 * indentation and a trailing newline. Refinements (time zones, cron, retention rules) cannot be
 * expressed in JSON Schema; the agent checks them (`port-yard config check`).
 */
export function configJsonSchemaText(): string {
  const generated = configSchema.toJSONSchema({ io: 'input', target: 'draft-7' });
  const schema = {
    ...generated,
    title: 'Port-Yard configuration',
    $comment: 'Generated from shared/src/config by `npm run gen:schema`; do not edit by hand.',
  };
  return `${JSON.stringify(sortKeywords(schema), null, 2)}\n`;
}

function sortKeywords(value: unknown, inProperties = false): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeywords(item));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (!inProperties) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    entries.map(([key, inner]) => [key, sortKeywords(inner, !inProperties && key === 'properties')]),
  );
}
