/**
 * `npm run schemas`: writes the JSON Schemas of the orchestrator API to schemas/, from the
 * zod schemas in lambda/. Run it after changing a request or response schema; test/client/schemas.test.ts fails
 * while the committed files are stale.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas, schemaFileText } from '../lambda/requests/json-schemas';

const directory = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
await mkdir(directory, { recursive: true });
for (const [name, document] of Object.entries(jsonSchemas())) {
  await writeFile(path.join(directory, name), schemaFileText(document));
  console.log(`wrote schemas/${name}`);
}
