/**
 * Reading the repository's Markdown the way a reader does: fenced blocks with their language and line, inline
 * code, links and headings. Just enough of CommonMark for our own docs (fences of backticks, ATX headings).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { slug } from '../../scripts/reference/json-schema-markdown';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** README.md and docs/*.md, as repository-relative paths. */
export function docFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

export function readDoc(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** A fenced code block: its info string's language, its text, and where it starts (1-based line of the fence). */
export interface Fence {
  readonly file: string;
  readonly line: number;
  readonly lang: string;
  readonly text: string;
  /** The nearest heading above the block. */
  readonly heading: string;
}

export function fences(file: string): Fence[] {
  const lines = readDoc(file).split('\n');
  const found: Fence[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const header = /^(#{1,6})\s+(.*)$/.exec(line);
    if (header) heading = header[2] as string;
    const open = /^(\s*)(`{3,})\s*([\w-]*)/.exec(line);
    if (!open) continue;
    const indent = (open[1] as string).length;
    const marker = open[2] as string;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] as string).trimStart().startsWith(marker)) {
      body.push((lines[j] as string).slice(Math.min(indent, (lines[j] as string).length - (lines[j] as string).trimStart().length)));
      j++;
    }
    found.push({ file, line: i + 1, lang: open[3] as string, text: body.join('\n'), heading });
    i = j;
  }
  return found;
}

/** The text outside fenced blocks, line numbers kept (fenced lines are blanked). */
export function prose(file: string): string[] {
  const lines = readDoc(file).split('\n');
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const marker = /^\s*(`{3,})/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) {
      fence = marker;
      out.push('');
    } else if (fence !== undefined) {
      if (line.trimStart().startsWith(fence)) fence = undefined;
      out.push('');
    } else {
      out.push(line);
    }
  }
  return out;
}

/** Inline code spans outside fenced blocks, with their line. */
export function inlineCode(file: string): { line: number; text: string }[] {
  const spans: { line: number; text: string }[] = [];
  prose(file).forEach((line, index) => {
    for (const match of line.matchAll(/(`+)(.+?)\1/g)) spans.push({ line: index + 1, text: (match[2] as string).trim() });
  });
  return spans;
}

/** Markdown links `[text](target)` outside fenced blocks and inline code. */
export function links(file: string): { line: number; target: string }[] {
  const found: { line: number; target: string }[] = [];
  prose(file).forEach((line, index) => {
    const withoutCode = line.replace(/(`+).+?\1/g, '');
    for (const match of withoutCode.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) found.push({ line: index + 1, target: match[1] as string });
  });
  return found;
}

/** The anchors GitHub makes for a file's headings, duplicates numbered as GitHub numbers them. */
export function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(file)) {
    const header = /^#{1,6}\s+(.*)$/.exec(line);
    if (!header) continue;
    const base = slug((header[1] as string).replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** The rows of the first Markdown table under `heading`, as arrays of trimmed cells (header and rule excluded). */
export function tableUnder(file: string, heading: string): string[][] {
  const lines = prose(file);
  const start = lines.findIndex((line) => /^#{1,6}\s+/.test(line) && line.replace(/^#+\s+/, '') === heading);
  if (start === -1) throw new Error(`${file} has no heading "${heading}"`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,6}\s+/.test(line)) break;
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
    } else if (inTable) {
      break;
    }
  }
  return rows.slice(2);
}
