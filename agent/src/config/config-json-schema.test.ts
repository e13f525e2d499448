import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configJsonSchemaFile, configJsonSchemaText } from './config-json-schema.ts';

describe('config JSON Schema', () => {
  it('is committed up to date', async () => {
    const committed = await readFile(
      new URL(`../../../${configJsonSchemaFile}`, import.meta.url),
      'utf8',
    ).catch(() => '(missing)');
    expect(
      committed === configJsonSchemaText(),
      `${configJsonSchemaFile} is stale: run \`npm run gen:schema\``,
    ).toBe(true);
  });

  it('is deterministic text with a trailing newline', () => {
    const text = configJsonSchemaText();
    expect(configJsonSchemaText()).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('makes keys with defaults optional and keeps the descriptions', () => {
    const schema = JSON.parse(configJsonSchemaText()) as {
      required: string[];
      properties: Record<string, { description?: string }>;
    };
    expect(schema.required).toEqual(['version', 'storages']);
    expect(schema.properties['maxConcurrent']?.description).toBe('Backup runs at once, over all targets.');
  });

  it('tells an editor that a target lists each database, exclude and destination once', () => {
    type ArraySchema = { uniqueItems?: boolean };
    const schema = JSON.parse(configJsonSchemaText()) as {
      properties: {
        targets: {
          additionalProperties: {
            properties: {
              databases: { anyOf: ArraySchema[] };
              exclude: ArraySchema;
              destinations: ArraySchema;
            };
          };
        };
      };
    };
    const target = schema.properties.targets.additionalProperties.properties;
    expect(target.databases.anyOf.find((member) => 'uniqueItems' in member)?.uniqueItems).toBe(true);
    expect(target.exclude.uniqueItems).toBe(true);
    expect(target.destinations.uniqueItems).toBe(true);
  });
});
