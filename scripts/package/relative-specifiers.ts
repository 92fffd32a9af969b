import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The sources import each other without extensions (`from './cli'`), as `moduleResolution: Bundler` lets them, and
 * tsx, esbuild and vitest resolve that. Node's ESM loader does not ("Mandatory file extensions", Node.js ESM docs),
 * and neither does TypeScript for a consumer on `moduleResolution: NodeNext`. So the emitted files get the extension
 * their target has on disk: `./cli.js`, or `./dir/index.js`. The rewrite only touches specifiers that start with `./`
 * or `../`; every one must resolve to an emitted file, or the build fails naming it.
 */

/** `from '…'`, `import '…'`, `import('…')`, `export … from '…'`, and `import('…')` types in declarations. */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;

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
  const rewritten = text.replace(SPECIFIER, (whole, lead: string, quote: string, specifier: string) => {
    const resolved = resolveSpecifier(path.dirname(file), specifier, declaration);
    if (resolved === undefined) {
      unresolved.push(specifier);
      return whole;
    }
    return `${lead}${quote}${resolved}${quote}`;
  });
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
