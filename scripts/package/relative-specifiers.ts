import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The sources import each other without extensions (`from './cli'`), as `moduleResolution: Bundler` lets them, and
 * tsx, esbuild and vitest resolve that. Node's ESM loader does not ("Mandatory file extensions", Node.js ESM docs),
 * and neither does TypeScript for a consumer on `moduleResolution: NodeNext`. So the emitted files get the extension
 * their target has on disk: `./cli.js`, or `./dir/index.js`. The rewrite only touches specifiers that start with `./`
 * or `../`; every one must resolve to an emitted file, or the build fails naming it. The specifiers are found by
 * TypeScript's own scanner (`ts.preProcessFile`: imports, exports, `import()` calls and types), so an import written in
 * a comment or a string is left alone.
 */

/** What a relative specifier written without an extension means on disk, given the importing file's directory. */
export function resolveSpecifier(fromDir: string, specifier: string, declaration: boolean): string | undefined {
  if (/\.(m?js|json)$/.test(specifier)) return specifier;
  const ext = declaration ? '.d.ts' : '.js';
  const target = path.resolve(fromDir, specifier);
  if (existsSync(`${target}${ext}`)) return `${specifier}.js`;
  if (existsSync(path.join(target, `index${ext}`))) return `${specifier}/index.js`;
  return undefined;
}

/** Rewrites one emitted file's relative specifiers in place; returns the specifiers it could not resolve. */
export function rewriteFile(file: string): string[] {
  const declaration = file.endsWith('.d.ts');
  const unresolved: string[] = [];
  const text = readFileSync(file, 'utf8');
  // Each import's `pos` is its opening quote; replaced from the last, so earlier positions stay valid.
  const imports = ts.preProcessFile(text, true, true).importedFiles.filter((found) => /^\.{1,2}\//.test(found.fileName));
  let rewritten = text;
  for (const found of [...imports].sort((a, b) => b.pos - a.pos)) {
    const resolved = resolveSpecifier(path.dirname(file), found.fileName, declaration);
    if (resolved === undefined) {
      unresolved.unshift(found.fileName);
      continue;
    }
    const start = found.pos + 1;
    rewritten = `${rewritten.slice(0, start)}${resolved}${rewritten.slice(start + found.fileName.length)}`;
  }
  if (rewritten !== text) writeFileSync(file, rewritten);
  return unresolved;
}

/** Every emitted `.js` and `.d.ts` file under a directory. */
export function emittedFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return emittedFiles(full);
    return /\.(js|d\.ts)$/.test(name) ? [full] : [];
  });
}

/**
 * Rewrites every emitted file under `dir`.
 *
 * @throws {Error} naming each file and specifier that resolves to nothing emitted
 */
export function rewriteRelativeSpecifiers(dir: string): number {
  const files = emittedFiles(dir);
  const problems = files.flatMap((file) => rewriteFile(file).map((specifier) => `${path.relative(dir, file)}: ${specifier}`));
  if (problems.length > 0) throw new Error(`relative imports that resolve to no emitted file:\n  ${problems.join('\n  ')}`);
  return files.length;
}
