import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rewriteRelativeSpecifiers } from '../../scripts/package/relative-specifiers';

/** An emitted tree: files by path, relative to a fresh directory. */
function emitted(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-rotator-emit-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe('relative import specifiers in the emitted package', () => {
  it('get the extension of the file they name, or its index, in JavaScript and declarations alike', () => {
    const dir = emitted({
      'client/cli.js': "import { a } from '../lambda/errors';\nexport * from './args';\nconst lazy = () => import('./pg');\nimport 'zod';\n",
      'client/cli.d.ts': "import type { A } from '../lambda/errors';\nexport type B = import('./args').B;\n",
      'client/args.js': '',
      'client/args.d.ts': '',
      'client/pg/index.js': '',
      'client/pg/index.d.ts': '',
      'lambda/errors.js': '',
      'lambda/errors.d.ts': '',
    });
    expect(rewriteRelativeSpecifiers(dir)).toBe(8);
    expect(readFileSync(join(dir, 'client/cli.js'), 'utf8')).toBe(
      "import { a } from '../lambda/errors.js';\nexport * from './args.js';\nconst lazy = () => import('./pg/index.js');\nimport 'zod';\n",
    );
    expect(readFileSync(join(dir, 'client/cli.d.ts'), 'utf8')).toBe("import type { A } from '../lambda/errors.js';\nexport type B = import('./args.js').B;\n");
  });

  it("leaves imports written in comments and strings alone, as TypeScript's scanner reads the file", () => {
    const text = "/**\n * import '../schema-messages';\n */\nimport { a } from './b';\nconst s = \"from './nowhere'\";\n";
    const dir = emitted({ 'lambda/a.js': text, 'lambda/b.js': '' });
    rewriteRelativeSpecifiers(dir);
    expect(readFileSync(join(dir, 'lambda/a.js'), 'utf8')).toBe(text.replace("from './b'", "from './b.js'"));
  });

  it('leaves specifiers that already name a file alone', () => {
    const dir = emitted({ 'a.js': "import x from './b.js';\nimport data from './c.json';\n", 'b.js': '' });
    rewriteRelativeSpecifiers(dir);
    expect(readFileSync(join(dir, 'a.js'), 'utf8')).toBe("import x from './b.js';\nimport data from './c.json';\n");
  });

  it('fails the build naming every import that resolves to no emitted file', () => {
    const dir = emitted({ 'a.js': "import { x } from './missing';\n", 'b.d.ts': "export * from '../gone';\n" });
    expect(() => rewriteRelativeSpecifiers(dir)).toThrow(/relative imports that resolve to no emitted file:\n {2}a\.js: \.\/missing\n {2}b\.d\.ts: \.\.\/gone/);
  });
});
