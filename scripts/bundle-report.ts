/**
 * `npm run bundle:report [-- --save FILE] [--against FILE] [--target node24]`
 *
 * Builds the function bundle as deployed (scripts/function-bundle.ts, target node24) and prints, for each file
 * (rotation.mjs, orchestrator.mjs, status.mjs), its minified size and what each package contributes, from esbuild's metafile.
 * --save writes those figures as JSON; --against reads a saved JSON and prints it beside this build, to measure a
 * change before and after.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Metafile } from 'esbuild';
import { build } from 'esbuild';
import { functionBuildOptions } from './function-bundle';

/** Bytes per package in one output file, and the file's total. */
export interface FileFigures {
  readonly bytes: number;
  readonly packages: Readonly<Record<string, number>>;
}

export type BundleFigures = Readonly<Record<string, FileFigures>>;

/** The package an input belongs to: its node_modules package, or `pg-rotator <folder>` for the project's own code. */
function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match?.[1] !== undefined) return match[1];
  return `pg-rotator (${input.split('/')[0] ?? input})`;
}

/** Per file (by base name, .mjs only), its size and each package's bytes in it. */
export function bundleFigures(metafile: Metafile): BundleFigures {
  const figures: Record<string, FileFigures> = {};
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (!file.endsWith('.mjs')) continue;
    const packages: Record<string, number> = {};
    let attributed = 0;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      packages[name] = (packages[name] ?? 0) + bytesInOutput;
      attributed += bytesInOutput;
    }
    // esbuild's runtime helpers and the banner belong to no input.
    packages['(esbuild runtime, banner)'] = output.bytes - attributed;
    figures[path.basename(file)] = { bytes: output.bytes, packages };
  }
  return figures;
}

const kb = (bytes: number | undefined): string => (bytes === undefined ? '–' : (bytes / 1024).toFixed(1));

/** A Markdown table per file: KB (KiB) per package, largest first, with the baseline's column when given. */
export function formatFigures(figures: BundleFigures, against?: BundleFigures, minimumBytes = 1024): string {
  const lines: string[] = [];
  for (const [file, current] of Object.entries(figures)) {
    const before = against?.[file];
    lines.push('', `${file}: ${kb(current.bytes)} KB${before === undefined ? '' : ` (was ${kb(before.bytes)} KB)`}`, '');
    lines.push(before === undefined ? '| package | KB |' : '| package | before KB | after KB |');
    lines.push(before === undefined ? '|---|---:|' : '|---|---:|---:|');
    const names = [...new Set([...Object.keys(current.packages), ...Object.keys(before?.packages ?? {})])];
    const size = (name: string) => Math.max(current.packages[name] ?? 0, before?.packages[name] ?? 0);
    const shown = names.filter((name) => size(name) >= minimumBytes).sort((a, b) => size(b) - size(a));
    const rest = (source: FileFigures | undefined) =>
      source === undefined ? undefined : names.filter((name) => !shown.includes(name)).reduce((sum, name) => sum + (source.packages[name] ?? 0), 0);
    const row = (name: string, now: number | undefined, then: number | undefined) =>
      before === undefined ? `| ${name} | ${kb(now)} |` : `| ${name} | ${kb(then)} | ${kb(now)} |`;
    for (const name of shown) lines.push(row(name, current.packages[name], before?.packages[name]));
    lines.push(row(`others under ${kb(minimumBytes)} KB`, rest(current), rest(before)));
    lines.push(row('**total**', current.bytes, before?.bytes));
  }
  return lines.join('\n');
}

/** Builds the bundle as deployed into a throwaway directory and returns its figures. */
export async function measureBundle(target = 'node24'): Promise<BundleFigures> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'pg-rotator-bundle-report-'));
  try {
    const result = await build(functionBuildOptions(outdir, target));
    return bundleFigures(result.metafile);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { save: { type: 'string' }, against: { type: 'string' }, target: { type: 'string', default: 'node24' } } });
  const figures = await measureBundle(values.target);
  const against = values.against === undefined ? undefined : (JSON.parse(readFileSync(values.against, 'utf8')) as BundleFigures);
  console.log(`Function bundle, minified, target ${values.target} (KB = 1,024 bytes; packages under 1 KB summed):`);
  console.log(formatFigures(figures, against));
  if (values.save !== undefined) writeFileSync(values.save, `${JSON.stringify(figures, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
