/**
 * Every `npm …`, `npx …` and `pg-rotator …` command in README.md and docs/*.md, in shell blocks and inline code,
 * runs as written: npm scripts exist, npx names an installed executable or a file that exists, the demo's flags
 * are its own, and each pg-rotator command line parses into a request the function's schema accepts.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../client/cli-args';
import { OrchestratorRequestSchema } from '../../lambda/requests/orchestrator-request';
import { DEMO_OPTIONS } from '../../demo/options';
import { ROOT, docFiles, fences, inlineCode } from './markdown';
import type { SimpleCommand } from './shell-words';
import { commandLines, simpleCommands } from './shell-words';

/** Blocks read as shell: those marked so, and unmarked ones (diagrams and queries are marked `text`, `sql`, …). */
const SHELL_LANGS = new Set(['', 'sh', 'bash', 'shell', 'console']);
const CHECKED = new Set(['npm', 'npx', 'pg-rotator']);

interface DocCommand {
  readonly where: string;
  readonly text: string;
  readonly command: SimpleCommand;
}

/** A usage synopsis (`<name|arn>`, `[--region r]`, `…`) describes commands rather than being one. */
const isSynopsis = (text: string) => /<[^>]*>|\[--|…/.test(text);

function docCommands(): DocCommand[] {
  const found: DocCommand[] = [];
  const add = (where: string, line: string) => {
    if (isSynopsis(line)) return;
    for (const command of simpleCommands(line)) {
      if (CHECKED.has(command.words[0] ?? '')) found.push({ where, text: line, command });
    }
  };
  for (const file of docFiles()) {
    for (const fence of fences(file).filter((f) => SHELL_LANGS.has(f.lang))) {
      const lines = commandLines(fence.text);
      const vars = shellVariables(lines);
      for (const line of lines) add(`${file}:${fence.line}`, line.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (ref, name: string) => vars[name] ?? ref));
    }
    for (const span of inlineCode(file)) {
      if (/^([A-Z_]+=\S+\s+)*(npm|npx|pg-rotator)\s/.test(span.text)) add(`${file}:${span.line}`, span.text);
    }
  }
  return found;
}

/** `NAME=value` and `export NAME=value` in a block, so later lines can be read with `$NAME` expanded. */
function shellVariables(lines: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of lines) {
    const match = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(\S+)/.exec(line);
    if (match?.[1] && match[2]) vars[match[1]] = match[2];
  }
  return vars;
}

const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };

/** Checks one command; returns what it was checked against, or throws saying why it would not run. */
function check(words: readonly string[]): string {
  const [program, first, ...rest] = words;
  if (program === 'pg-rotator' || (program === 'npx' && first === 'pg-rotator')) {
    const argv = program === 'npx' ? rest : words.slice(1);
    const parsed = parseCli(argv, { PG_ROTATOR_FUNCTION: 'pg-rotator', PG_ROTATOR_STATUS_FUNCTION: 'pg-rotator-status' });
    if (parsed.kind === 'request') OrchestratorRequestSchema.parse(parsed.request);
    return `pg-rotator ${parsed.kind}`;
  }
  if (program === 'npx') {
    const bin = first ?? '';
    const installed = existsSync(path.join(ROOT, 'node_modules', '.bin', bin)) || bin in packageJson.bin;
    if (!installed) throw new Error(`npx ${bin}: no such executable in node_modules/.bin`);
    if (bin === 'tsx' && !existsSync(path.join(ROOT, rest[0] ?? ''))) throw new Error(`npx tsx ${rest[0]}: no such file`);
    return `npx ${bin}`;
  }
  // npm
  if (first === 'ci' || first === 'install') return `npm ${first}`;
  const script = first === 'run' ? rest[0] : first;
  const args = first === 'run' ? rest.slice(1) : rest;
  if (script === undefined || !(script in packageJson.scripts)) throw new Error(`npm run ${script}: no such script in package.json`);
  if (script === 'demo' && args.length > 0) {
    if (args[0] !== '--') throw new Error('npm run demo: arguments must follow --');
    parseArgs({ args: args.slice(1), options: DEMO_OPTIONS, strict: true });
  }
  return `npm script ${script}`;
}

const commands = docCommands();

describe('commands in the docs', () => {
  it.each(commands.map((c) => [c.where, c.text, c.command] as const))('%s: %s', (_where, _text, command) => {
    expect(() => check(command.words)).not.toThrow();
  });

  it('include the quickstart and the CLI', () => {
    const texts = commands.map((c) => c.command.words.join(' '));

    expect(texts).toEqual(expect.arrayContaining(['npm ci', 'npm run demo', 'npm test']));
    expect(commands.filter((c) => check(c.command.words).startsWith('pg-rotator request')).length).toBeGreaterThanOrEqual(5);
  });
});

describe('the command reader', () => {
  it('splits pipelines and lists, drops assignments, redirections and comments', () => {
    expect(simpleCommands("PG_MAJOR=16 npm test && jq .rollback out.json | pg-rotator --caller 'a b' request --file - > x.json # why")).toEqual([
      { env: { PG_MAJOR: '16' }, words: ['npm', 'test'] },
      { env: {}, words: ['jq', '.rollback', 'out.json'] },
      { env: {}, words: ['pg-rotator', '--caller', 'a b', 'request', '--file', '-'] },
    ]);
  });

  it('fails a command that would not run', () => {
    expect(() => check(['npm', 'run', 'no-such-script'])).toThrow('no such script');
    expect(() => check(['npm', 'run', 'demo', '--', '--databse-url', 'x'])).toThrow();
    expect(() => check(['pg-rotator', '--function', 'f', 'action', 'lock-user', '--role', 'alice'])).toThrow();
  });
});
