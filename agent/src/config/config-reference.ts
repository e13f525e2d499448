import { configJsonSchemaText } from './config-json-schema.ts';

/** Where the generated configuration reference is committed, relative to the repository root. */
export const configReferenceFile = 'docs/configuration.md';

interface SchemaNode {
  readonly type?: string | string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly properties?: Record<string, SchemaNode>;
  readonly required?: readonly string[];
  readonly additionalProperties?: SchemaNode | boolean;
  readonly items?: SchemaNode;
  readonly oneOf?: readonly SchemaNode[];
  readonly anyOf?: readonly SchemaNode[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly defaultValue: string;
  readonly description: string;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(node: SchemaNode): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(' \\| ');
  const variants = node.anyOf ?? node.oneOf;
  if (variants) return [...new Set(variants.map(typeOf))].join(' or ');
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'values'}`;
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object')
    return 'map of name →';
  const type = Array.isArray(node.type) ? node.type.join(' or ') : (node.type ?? 'value');
  const range =
    node.minimum !== undefined || node.maximum !== undefined
      ? ` (${node.minimum ?? ''}–${node.maximum ?? ''})`
      : '';
  return `${type}${range}`;
}

function walk(node: SchemaNode, path: string, required: boolean, rows: Row[]): void {
  const defaultValue = node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``;
  const variants = node.oneOf ?? node.anyOf;
  if (path) {
    rows.push({
      path,
      type: typeOf(node),
      required,
      defaultValue,
      description: node.description ?? '',
    });
  }
  if (node.properties) {
    const needed = new Set(node.required ?? []);
    for (const [key, child] of Object.entries(node.properties)) {
      if (key === '$schema') continue;
      walk(child, path ? `${path}.${key}` : key, needed.has(key), rows);
    }
  }
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    walk(node.additionalProperties, `${path}.<name>`, false, rows);
  if (node.type === 'array' && node.items?.properties)
    walk({ ...node.items, description: undefined }, `${path}[]`, false, rows);
  // Tagged unions (storages): one block per variant, named by its `type`.
  if (variants && variants.every((variant) => variant.properties?.type?.const !== undefined)) {
    for (const variant of variants) {
      const tag = String(variant.properties!.type!.const);
      walk({ ...variant, description: variant.description }, `${path}(type: ${tag})`, false, rows);
    }
  }
}

/**
 * The configuration reference as Markdown, generated from the same zod schema the agent
 * validates with (through the committed JSON Schema): every key with its type, default and
 * description, one table per top-level section. `npm run gen:docs` writes it; a test fails while
 * the committed file is stale.
 */
export function configReferenceMarkdown(): string {
  const schema = JSON.parse(configJsonSchemaText()) as SchemaNode;
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from shared/src/config by `npm run gen:docs`; do not edit by hand. -->',
    '',
    'Port-Yard reads one YAML file (`--config <file>` or `PORT_YARD_CONFIG`). Secrets can come from',
    'the environment (`${VAR}`, `${VAR:-default}`) or from files (`passwordFile`, `...File`), and',
    'relative paths are relative to the config file. `port-yard config check` validates a file and',
    'prints every problem with its line and column, and every file it names that cannot be read.',
    '`config/port-yard.example.yaml` shows every key in use; `config/port-yard.schema.json` gives',
    'editors completion and checks.',
    '',
    '`<name>` stands for a name you choose (a storage, a target, a test server). A key marked',
    '**required** must be given when its section is present.',
    '',
  ];
  const needed = new Set(schema.required ?? []);
  const table = (rows: readonly Row[]): void => {
    lines.push('| key | type | default | description |', '| --- | --- | --- | --- |');
    for (const row of rows) {
      const name = `\`${row.path}\`${row.required ? ' **required**' : ''}`;
      lines.push(
        `| ${cell(name)} | ${cell(row.type)} | ${cell(row.defaultValue)} | ${cell(row.description)} |`,
      );
    }
    lines.push('');
  };
  const sections = Object.entries(schema.properties ?? {}).filter(([key]) => key !== '$schema');
  const isSection = (node: SchemaNode): boolean => node.type === 'object';
  const topLevel: Row[] = [];
  for (const [key, node] of sections) if (!isSection(node)) walk(node, key, needed.has(key), topLevel);
  lines.push('## Top-level settings', '');
  table(topLevel);
  for (const [key, node] of sections) {
    if (!isSection(node)) continue;
    const rows: Row[] = [];
    walk(node, key, needed.has(key), rows);
    lines.push(`## \`${key}\``, '', node.description ?? '', '');
    table(rows.slice(1));
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
