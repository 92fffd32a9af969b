import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EscEventSchema } from '../../lambda/esc/esc-event';
import { RotationEventSchema } from '../../lambda/rotation/rotation-event';
import { fieldRows } from '../../scripts/reference/json-schema-markdown';
import { EVENT_FIELD_NOTES, REFERENCE_FILE, inputSchema, renderReference } from '../../scripts/reference/reference-document';
import { ROOT } from './markdown';

describe('docs/reference.md', () => {
  it('is what the zod schemas render (run: npm run reference)', () => {
    expect(readFileSync(path.join(ROOT, REFERENCE_FILE), 'utf8')).toBe(renderReference());
  });

  it.each([
    ['rotation', RotationEventSchema],
    ['esc', EscEventSchema],
  ] as const)('annotates exactly the fields of the %s event', (event, schema) => {
    const fields = fieldRows(inputSchema(schema), (name) => name).map((row) => row.field);

    expect(Object.keys(EVENT_FIELD_NOTES[event]).sort()).toEqual([...fields].sort());
  });
});
