import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configReferenceFile, configReferenceMarkdown } from './config-reference.ts';

describe('docs/configuration.md', () => {
  it('is generated from the current schema (npm run gen:docs)', async () => {
    const committed = await readFile(new URL(`../../../${configReferenceFile}`, import.meta.url), 'utf8');
    expect(
      committed === configReferenceMarkdown(),
      `${configReferenceFile} is stale: run \`npm run gen:docs\``,
    ).toBe(true);
  });

  it('documents nested keys, map entries and storage types', () => {
    const text = configReferenceMarkdown();
    expect(text).toContain('| `targets.<name>.engine` **required** |');
    expect(text).toContain('`storages.<name>(type: s3).bucket`');
    expect(text).toContain('`targets.<name>.restore.openConnections`');
    expect(text).toMatch(/\| `maxConcurrent` \| integer \(1–64\) \| `2` \|/);
  });
});
