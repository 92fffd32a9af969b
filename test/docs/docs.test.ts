/**
 * The docs stay true to the code: links resolve, the tables list exactly what the code defines, the runbook
 * explains every error code, the architecture note names files that exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_NAMES } from '../../lambda/actions/action-names';
import { GUARD_RULES } from '../../lambda/actions/guard-rules';
import { ENV, STRATEGIES } from '../../lambda/config/environment';
import { DatabaseSecretSchema } from '../../lambda/secrets/secret-format';
import { ROOT, anchors, docFiles, fences, inlineCode, links, readDoc, tableUnder } from './markdown';

/** The backticked names in a table cell: `` `username`, `password` `` → username, password. */
const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
const firstColumn = (rows: string[][]) => rows.flatMap((row) => names(row[0] ?? ''));

describe('links in the docs', () => {
  const all = docFiles().flatMap((file) => links(file).map((link) => ({ file, ...link })));
  const local = all.filter((link) => !/^[a-z]+:/.test(link.target));

  it.each(local.map((link) => [`${link.file}:${link.line}`, link.target] as const))('%s → %s resolves', (where, target) => {
    const file = where.slice(0, where.lastIndexOf(':'));
    const [relative = '', anchor] = target.split('#');
    const resolved = relative === '' ? file : path.normalize(path.join(path.dirname(file), relative));
    expect(existsSync(path.join(ROOT, resolved)), `${resolved} exists`).toBe(true);
    if (anchor !== undefined && resolved.endsWith('.md')) expect([...anchors(resolved)]).toContain(anchor);
  });
});

describe('the README', () => {
  it('describes every key of the secret JSON, and no other', () => {
    expect(firstColumn(tableUnder('README.md', 'Secret format')).sort()).toEqual(Object.keys(DatabaseSecretSchema.shape).sort());
  });

  it("describes every variable of the function's environment, and no other", () => {
    expect(firstColumn(tableUnder('README.md', "The function's environment")).sort()).toEqual(Object.values(ENV).sort());
  });

  it('lists every strategy, and docs/strategies.md explains each', () => {
    expect(firstColumn(tableUnder('README.md', 'Strategies'))).toEqual([...STRATEGIES]);
    const headings = readDoc('docs/strategies.md').split('\n').filter((line) => line.startsWith('## '));
    for (const strategy of STRATEGIES) expect(headings).toContain(`## \`${strategy}\``);
  });

  it('indexes every guide in docs/', () => {
    const indexed = tableUnder('README.md', 'Documentation').map((row) => /\((docs\/[^)]+)\)/.exec(row[0] ?? '')?.[1]);
    const guides = readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);

    expect(guides.filter((guide) => !indexed.includes(guide))).toEqual([]);
  });
});

describe('docs/api.md', () => {
  it('documents every action, in the order of the API', () => {
    expect(firstColumn(tableUnder('docs/api.md', 'The actions'))).toEqual([...ACTION_NAMES]);
  });
});

describe('docs/policy.md', () => {
  it('lists every rule an action can be refused by, and no other', () => {
    expect(firstColumn(tableUnder('docs/policy.md', 'Rules'))).toEqual(Object.keys(GUARD_RULES));
  });
});

describe('docs/runbook.md', () => {
  /** Every code our error classes carry: `readonly code = '…'` and the database codes by failure kind. */
  function errorCodes(): string[] {
    const sources = ['lambda/errors.ts', 'client/client-errors.ts'].map((file) => readFileSync(path.join(ROOT, file), 'utf8'));
    const codes = sources.flatMap((text) => [...text.matchAll(/code = '([A-Z_]+)'/g), ...text.matchAll(/: '(DB_[A-Z_]+)'/g)].map((m) => m[1] as string));
    return [...new Set([...codes, 'INTERNAL'])];
  }

  it.each(errorCodes())('explains %s', (code) => {
    expect(readDoc('docs/runbook.md')).toContain(`\`${code}\``);
  });
});

describe('docs/architecture.md', () => {
  /** Every file of the repository's source folders, and its top-level files (package.json, …), as repository-relative paths. */
  function sourceFiles(): string[] {
    const walk = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? walk(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`],
      );
    const topLevel = readdirSync(ROOT, { withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
    return [...topLevel, ...['lambda', 'infra', 'local', 'client', 'scripts', 'schemas', 'demo', 'test'].flatMap(walk)];
  }

  it('names only files that exist', () => {
    const files = sourceFiles();
    const text = [
      ...inlineCode('docs/architecture.md').map((span) => span.text),
      ...fences('docs/architecture.md').map((fence) => fence.text),
    ].join('\n');
    const named = [...new Set([...text.matchAll(/[\w./-]+\.(?:ts|mjs|json)\b/g)].map((m) => m[0]))];
    const missing = named.filter((name) => !files.some((file) => file === name || file.endsWith(`/${name}`)));

    expect(named.length).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });
});
