import { describe, expect, it } from 'vitest';
import { METRIC_CATALOG } from '../../lambda/log/metric-catalog';
import { tableUnder } from './markdown';

describe('docs/operations.md', () => {
  it('lists every metric the function emits, with its unit and dimension sets, and no other', () => {
    const documented = tableUnder('docs/operations.md', 'Metrics').map((row) => row.slice(0, 3).join(' | '));
    const emitted = Object.entries(METRIC_CATALOG).map(([name, { unit, by }]) => {
      const sets = (by as readonly (readonly string[])[]).map((set) => (set.length === 0 ? 'none' : set.map((key) => `\`${key}\``).join(', ')));
      return `\`${name}\` | ${unit} | ${sets.join('; ')}`;
    });

    expect(documented).toEqual(emitted);
  });
});
