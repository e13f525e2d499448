/**
 * Writes docs/configuration.md from the config schema (`npm run gen:docs`). A test
 * (agent/src/config/config-reference.test.ts) fails while the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { configReferenceFile, configReferenceMarkdown } from '../src/config/config-reference.ts';

await writeFile(new URL(`../../${configReferenceFile}`, import.meta.url), configReferenceMarkdown());
console.log(`wrote ${configReferenceFile}`);
