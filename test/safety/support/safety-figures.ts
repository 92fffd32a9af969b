/**
 * The figures a safety suite proves: counts kept while the tests run, printed at the end of the file (so CI output
 * shows them) and written to `.pg-rotator/safety-figures/<suite>.json` (git-ignored), from which
 * `npx tsx scripts/safety-figures.ts` prints the table of docs/reliability.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIGURES_DIR = fileURLToPath(new URL('../../../.pg-rotator/safety-figures', import.meta.url));

/** Nested counters: `figures.count('scenarios', 'single-user', 'sm-call')`. */
export class SafetyFigures {
  readonly #counts = new Map<string, number>();
  readonly #notes: string[] = [];
  readonly #tables = new Map<string, readonly (readonly string[])[]>();

  constructor(readonly suite: string) {}

  count(...keyAndBy: [string, ...string[]]): void {
    this.add(1, ...keyAndBy);
  }

  add(n: number, ...keyAndBy: [string, ...string[]]): void {
    const key = keyAndBy.join(' / ');
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + n);
  }

  get(...keyAndBy: [string, ...string[]]): number {
    return this.#counts.get(keyAndBy.join(' / ')) ?? 0;
  }

  /** The sum of every counter whose key starts with `prefix`. */
  total(prefix: string): number {
    let sum = 0;
    for (const [key, n] of this.#counts) if (key === prefix || key.startsWith(`${prefix} / `)) sum += n;
    return sum;
  }

  note(text: string): void {
    this.#notes.push(text);
  }

  /** A table to print as is (first row: headings). */
  table(name: string, rows: readonly (readonly string[])[]): void {
    this.#tables.set(name, rows);
  }

  toJSON() {
    return {
      suite: this.suite,
      counts: Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b))),
      tables: Object.fromEntries(this.#tables),
      notes: this.#notes,
    };
  }

  /** Prints the figures and writes them for scripts/safety-figures.ts. */
  publish(): void {
    mkdirSync(FIGURES_DIR, { recursive: true });
    writeFileSync(path.join(FIGURES_DIR, `${this.suite}.json`), `${JSON.stringify(this.toJSON(), null, 2)}\n`);
    const lines = [`[safety] ${this.suite}`];
    for (const [key, n] of [...this.#counts].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${key}: ${n}`);
    for (const [name, rows] of this.#tables) lines.push(`  ${name}:`, ...formatTable(rows).map((row) => `    ${row}`));
    for (const text of this.#notes) lines.push(`  note: ${text}`);
    console.log(lines.join('\n'));
  }
}

/** Rows as a Markdown table with padded columns. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [head, ...body] = rows;
  if (!head) return [];
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
}
