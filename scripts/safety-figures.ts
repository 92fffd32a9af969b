/**
 * Prints the figures of the safety suite (test/safety) as the Markdown that docs/reliability.md holds.
 *
 *   npm run safety             # runs `vitest run test/safety` first, then prints
 *   npm run safety -- --last   # prints the figures of the last run only
 *
 * Each safety test file records its counts in .pg-rotator/safety-figures/<suite>.json when it ends (see
 * test/safety/support/safety-figures.ts); PG_MAJOR and the other harness variables apply as for `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const FIGURES_DIR = fileURLToPath(new URL('../.pg-rotator/safety-figures', import.meta.url));

const SuiteSchema = z.object({
  suite: z.string(),
  counts: z.record(z.string(), z.number()),
  tables: z.record(z.string(), z.array(z.array(z.string()))),
  notes: z.array(z.string()),
});
type Suite = z.infer<typeof SuiteSchema>;

function run(): number {
  rmSync(FIGURES_DIR, { recursive: true, force: true });
  const started = performance.now();
  const result = spawnSync('npx', ['vitest', 'run', 'test/safety'], { stdio: 'inherit', env: process.env });
  console.log(`\nwall time of test/safety: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result.status ?? 1;
}

function load(): Map<string, Suite> {
  if (!existsSync(FIGURES_DIR)) throw new Error(`no figures in ${FIGURES_DIR}: run the safety suite first (npx vitest run test/safety)`);
  const suites = new Map<string, Suite>();
  for (const file of readdirSync(FIGURES_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const suite = SuiteSchema.parse(JSON.parse(readFileSync(path.join(FIGURES_DIR, file), 'utf8')));
    suites.set(suite.suite, suite);
  }
  return suites;
}

/** Sum of the counters whose key starts with `prefix` (keys are "a / b / c"). */
function total(suite: Suite | undefined, prefix: string, filter: (key: string) => boolean = () => true): number {
  if (!suite) return 0;
  return Object.entries(suite.counts)
    .filter(([key]) => (key === prefix || key.startsWith(`${prefix} / `)) && filter(key))
    .reduce((sum, [, n]) => sum + n, 0);
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [head, ...body] = rows;
  return head ? [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n') : '';
}

function print(suites: Map<string, Suite>): void {
  const faults = suites.get('fault-injection');
  const strategies = ['single-user', 'admin', 'alternating', 'alternating-owner'];
  const families = ['sm-500', 'sm-throttle', 'timeout', 'db-drop', 'db-restart', 'crash', 'lock-timeout'];
  const out: string[] = [];
  out.push('### Fault injection', '');
  out.push(
    table([
      ['strategy', ...families, 'scenarios', 'moments observed', 'lockouts', 'scenarios with the documented window'],
      ...strategies.map((s) => [
        s,
        ...families.map((f) => String(faults?.counts[`scenarios / ${s} / ${f}`] ?? 0)),
        String(total(faults, `scenarios / ${s}`)),
        String(total(faults, `moments observed / ${s}`)),
        String(total(faults, `lockouts / ${s}`)),
        String(total(faults, `scenarios with a documented window / ${s}`)),
      ]),
    ]),
    '',
  );
  out.push(
    `Scenarios: ${total(faults, 'scenarios')}; lockouts: ${total(faults, 'lockouts')}; rotations that did not converge: ${faults?.counts['lockouts / rotation did not converge'] ?? 0}; ` +
      `Secrets Manager retries needed: ${Object.entries(faults?.counts ?? {}).filter(([k]) => k.startsWith('retries needed / ')).map(([k, n]) => `${k.slice(-1)}: ${n}`).join(', ')}; ` +
      `faults absorbed without a retry: ${total(faults, 'faults absorbed without a retry')}.`,
    '',
  );
  for (const [name, rows] of Object.entries(faults?.tables ?? {})) out.push(`${name}:`, '', table(rows), '');

  const concurrency = suites.get('concurrency');
  out.push('### Concurrency', '');
  for (const [key, n] of Object.entries(concurrency?.counts ?? {})) out.push(`- ${key}: ${n}`);
  out.push('');

  const pure = suites.get('hostile-input');
  const db = suites.get('hostile-input-database');
  out.push('### Hostile input', '');
  out.push(table([['inputs', 'count'], ...[...Object.entries(pure?.counts ?? {}), ...Object.entries(db?.counts ?? {})].filter(([k]) => k.startsWith('inputs / ')).map(([k, n]) => [k.slice(9), String(n)])]), '');
  out.push(`Generated inputs: ${total(pure, 'inputs') + total(db, 'inputs')} (${total(db, 'inputs')} of them against a real database).`, '');

  const leaks = suites.get('leaks');
  out.push('### Leaks', '');
  for (const [key, n] of Object.entries({ ...leaks?.counts, ...Object.fromEntries(Object.entries(faults?.counts ?? {}).filter(([k]) => k.startsWith('leak search / '))) })) out.push(`- ${key}: ${n}`);
  out.push('');

  const tls = suites.get('tls-table');
  out.push('### TLS', '');
  for (const [name, rows] of Object.entries(tls?.tables ?? {})) out.push(`${name}:`, '', table(rows), '');
  console.log(out.join('\n'));
}

const status = process.argv.includes('--last') ? 0 : run();
print(load());
process.exit(status);
