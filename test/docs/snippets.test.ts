/**
 * TypeScript examples written against the package (`import … from 'pg-rotator/…'`) type-check as written, with
 * the repository's compiler options: an example calling the client with a wrong shape fails here.
 */
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, docFiles, fences } from './markdown';

const snippets = docFiles()
  .flatMap((file) => fences(file).filter((fence) => fence.lang === 'ts' || fence.lang === 'typescript'))
  .filter((fence) => /from 'pg-rotator\//.test(fence.text));

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options;
}

const WRONG = `import { createPgRotatorClient } from 'pg-rotator/client/pg-rotator-client';
await createPgRotatorClient({ functionName: 'f' }).action({ action: 'lock-user', target: { adminSecretArn: 'a' }, params: { rol: 'x' } });
`;

/** The package's named entry points, and the repository file each is (the rest resolve `pg-rotator/x` to x). */
const PACKAGE_ENTRIES: Readonly<Record<string, string>> = { pg: 'client/pg/rotating-pool' };

/**
 * Diagnostics of each snippet, compiled as modules in test/docs/ with `pg-rotator/x` resolved to the repository's
 * x. One program for all of them: type-checking the client's imports once costs seconds.
 */
function compile(sources: readonly string[]): string[][] {
  const files = sources.map((_, i) => path.join(ROOT, 'test', 'docs', `__snippet_${i}__.ts`));
  const texts = new Map(files.map((file, i) => [file, (sources[i] as string).replace(/from 'pg-rotator\/([^']+)'/g, (_, target: string) => `from '../../${PACKAGE_ENTRIES[target] ?? target}'`)]));
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
/** The diagnostics of snippet `i`, or of the wrong example for `i === snippets.length`. */
const diagnostics = (i: number): string[] => {
  compiled ??= compile([...snippets.map((fence) => fence.text), WRONG]);
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
});
