import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const LAMBDA = path.resolve(import.meta.dirname, '../../lambda');

/** Every TypeScript module under lambda/, by its path relative to lambda/. */
function lambdaModules(dir = LAMBDA): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return lambdaModules(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path.relative(LAMBDA, full)] : [];
  });
}

/**
 * The schema modules' pattern (lambda/schema-messages.ts, docs/architecture.md "Schemas"): the function's schemas use
 * zod/mini, whose unused parts the bundle leaves out, and each module that builds them installs the English messages.
 */
describe('schema modules in lambda/', () => {
  const modules = lambdaModules().map((file) => ({ file, text: readFileSync(path.join(LAMBDA, file), 'utf8') }));

  it('finds the schema modules', () => {
    expect(modules.filter(({ text }) => text.includes("from 'zod/mini'")).length).toBeGreaterThan(25);
  });

  it("import zod/mini, never classic zod ('zod'), which would put all of zod in the bundle", () => {
    expect(modules.filter(({ text }) => /from 'zod(\/v4)?'/.test(text) && !/import type[^;]*from 'zod'/.test(text)).map(({ file }) => file)).toEqual([]);
  });

  it('install the English messages wherever they build schemas with zod/mini', () => {
    const builders = modules.filter(({ text }) => /^import \* as z from 'zod\/mini';$/m.test(text));
    const missing = builders.filter(({ file, text }) => {
      const relative = path.relative(path.dirname(path.join(LAMBDA, file)), path.join(LAMBDA, 'schema-messages')).replace(/^(?!\.)/, './');
      return !text.includes(`import '${relative}';`);
    });
    expect(missing.map(({ file }) => file)).toEqual([]);
  });
});
