import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACTION_NAMES } from '../../lambda/actions/action-names';
import { jsonSchemas, schemaFileText } from '../../lambda/requests/json-schemas';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the published JSON Schemas', () => {
  it.each(Object.entries(jsonSchemas()))('schemas/%s is what the zod schemas generate (run: npm run schemas)', (name, document) => {
    expect(readFileSync(path.join(root, 'schemas', name), 'utf8')).toBe(schemaFileText(document));
  });

  it('describe every action and request kind, and every response kind', () => {
    const request = readFileSync(path.join(root, 'schemas', 'request.schema.json'), 'utf8');
    const response = readFileSync(path.join(root, 'schemas', 'response.schema.json'), 'utf8');
    for (const action of ACTION_NAMES) expect(request).toContain(`"const": "${action}"`);
    for (const kind of ['action', 'test', 'rotate', 'discover']) {
      expect(request).toContain(`"const": "${kind}"`);
      expect(response).toContain(`"const": "${kind}"`);
    }
  });
});
