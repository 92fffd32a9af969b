/**
 * TypeScript examples written against the package (`import … from 'pg-rotator'` or `'pg-rotator/…'`) type-check as
 * written, with the repository's compiler options: an example calling the client with a wrong shape fails here, and so
 * does one importing a path the package's exports map does not offer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, docFiles, fences } from './markdown';

const snippets = docFiles()
  .flatMap((file) => fences(file).filter((fence) => fence.lang === 'ts' || fence.lang === 'typescript'))
  .filter((fence) => /from 'pg-rotator(\/[^']*)?'/.test(fence.text));

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options;
}

const WRONG = `import { createPgRotatorClient } from 'pg-rotator/client';
await createPgRotatorClient({ functionName: 'f' }).action({ action: 'lock-user', target: { adminSecretArn: 'a' }, params: { rol: 'x' } });
`;

/** A file of the package its exports map does not offer: Node refuses the import (ERR_PACKAGE_PATH_NOT_EXPORTED). */
const UNEXPORTED = `import { createPgRotatorClient } from 'pg-rotator/client/pg-rotator-client';
export const rotator = createPgRotatorClient({ functionName: 'f' });
`;

/**
 * The package's entry points, from its exports map, as the repository files they are built from: `pg-rotator/client`
 * is `./dist/client/pg-rotator-client.js`, built from client/pg-rotator-client.ts. A path the map lacks resolves to
 * nothing, so the snippet fails.
 */
function packageEntries(): Record<string, string> {
  const { exports } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { default?: string } | string> };
  return Object.fromEntries(
    Object.entries(exports).flatMap(([subpath, target]) => {
      const file = typeof target === 'string' ? undefined : target.default;
      return file?.startsWith('./dist/') ? [[subpath === '.' ? 'pg-rotator' : `pg-rotator/${subpath.slice(2)}`, file.slice('./dist/'.length).replace(/\.js$/, '')]] : [];
    }),
  );
}
const PACKAGE_ENTRIES = packageEntries();

/**
 * Diagnostics of each snippet, compiled as modules in test/docs/ with `pg-rotator/x` resolved to the repository's
 * x. One program for all of them: type-checking the client's imports once costs seconds.
 */
function compile(sources: readonly string[]): string[][] {
  const files = sources.map((_, i) => path.join(ROOT, 'test', 'docs', `__snippet_${i}__.ts`));
  const texts = new Map(
    files.map((file, i) => [file, (sources[i] as string).replace(/from '(pg-rotator(?:\/[^']+)?)'/g, (_, target: string) => `from '../../${PACKAGE_ENTRIES[target] ?? `not-exported/${target}`}'`)]),
  );
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError) => {
    const text = texts.get(name);
    return text === undefined ? getSourceFile(name, language, onError) : ts.createSourceFile(name, text, language);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => texts.has(name) || fileExists(name);
  const program = ts.createProgram(files, options, host);
  return files.map((file) => {
    const source = program.getSourceFile(file);
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  });
}

let compiled: string[][] | undefined;
/** The diagnostics of snippet `i`, or of the wrong examples after them (WRONG, then UNEXPORTED). */
const diagnostics = (i: number): string[] => {
  compiled ??= compile([...snippets.map((fence) => fence.text), WRONG, UNEXPORTED]);
  return compiled[i] as string[];
};

describe('TypeScript examples in the docs', () => {
  it('exist', () => {
    expect(snippets.length).toBeGreaterThan(0);
  });

  it.each(snippets.map((fence, i) => [`${fence.file}:${fence.line}`, i] as const))('%s type-checks', (_where, i) => {
    expect(diagnostics(i)).toEqual([]);
  }, 60_000);

  it('catch a wrong example', () => {
    expect(diagnostics(snippets.length)).not.toEqual([]);
  }, 60_000);

  it('catch an import of a path the exports map does not offer', () => {
    expect(diagnostics(snippets.length + 1)).toEqual([expect.stringMatching(/^Cannot find module '\.\.\/\.\.\/not-exported\/pg-rotator\/client\/pg-rotator-client'/)]);
  }, 60_000);

  it('resolve the package by its exports map: the construct, the attachment, the client and the pool', () => {
    expect(PACKAGE_ENTRIES).toMatchObject({
      'pg-rotator': 'infra/constructs/pg-rotator',
      'pg-rotator/attachment': 'infra/constructs/pg-rotator-attachment',
      'pg-rotator/client': 'client/pg-rotator-client',
      'pg-rotator/pg': 'client/pg/rotating-pool',
    });
  });
});
