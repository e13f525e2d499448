/**
 * Writes config/port-yard.schema.json from the zod config schema (`npm run gen:schema`).
 * A test (agent/src/config/config-json-schema.test.ts) fails while the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { configJsonSchemaFile, configJsonSchemaText } from '../src/config/config-json-schema.ts';

await writeFile(new URL(`../../${configJsonSchemaFile}`, import.meta.url), configJsonSchemaText());
console.log(`wrote ${configJsonSchemaFile}`);
