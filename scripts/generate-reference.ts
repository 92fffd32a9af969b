/**
 * `npm run reference`: writes docs/reference.md from the zod schemas in lambda/ (the events,
 * the orchestrator requests and responses, the secret JSON). Run it after changing a schema, with
 * scripts/generate-schemas.ts; test/docs/reference.test.ts fails while the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REFERENCE_FILE, renderReference } from './reference/reference-document';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
await writeFile(path.join(root, REFERENCE_FILE), renderReference());
console.log(`wrote ${REFERENCE_FILE}`);
