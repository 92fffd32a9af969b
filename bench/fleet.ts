/**
 * `npm run bench:fleet`: what a fleet costs the deployment, at 1, 100, 1,000 and 10,000 rotated secrets (the config
 * stack, half single-user and half alternating under 10 admin secrets): the rotation role's policy size as IAM counts
 * it, the templates (count, largest by resources and bytes), the bindings file in the code asset, how long the function
 * takes to read and index it on a cold start, and how long synth takes. Synthesizes with a stub bundle (no esbuild).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ROTATION_BINDINGS_FILE } from '../lambda/config/rotation-bindings';
import { parseConfig } from '../infra/config/load';
import { FunctionCodeSource, handlerFiles } from '../infra/constructs/function-code';
import { roleUsage, type TemplateResources } from '../infra/constructs/iam-limits';
import { PgRotatorStack } from '../infra/pg-rotator-stack';
import { fleetConfig } from '../test/support/fleet-config';

const stub = mkdtempSync(path.join(tmpdir(), 'pg-rotator-bench-stub-'));
for (const file of handlerFiles()) writeFileSync(path.join(stub, file), 'export const handler = async () => ({});\n');

/** Reads and indexes a bindings file in a fresh process, as a cold container does on its first step: median of 5. */
function coldBindingsMs(file: string): number {
  const script = path.join(import.meta.dirname, 'support', 'cold-bindings.ts');
  const runs = Array.from({ length: 5 }, () =>
    Number(execFileSync(process.execPath, ['--import', 'tsx', script, file], { cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8' }).trim()),
  );
  return runs.sort((a, b) => a - b)[2] ?? Number.NaN;
}

console.log('secrets | rotation role inline policies | templates | largest template | bindings file | bindings read cold | synth');
for (const count of [1, 100, 1_000, 10_000]) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'pg-rotator-bench-fleet-'));
  const started = performance.now();
  const app = new App({ outdir });
  new PgRotatorStack(app, 'PgRotator', { config: parseConfig(fleetConfig(count), 'fleet'), functionCode: FunctionCodeSource.prebuilt(stub) });
  app.synth();
  const synthSeconds = (performance.now() - started) / 1000;
  const templates = readdirSync(outdir)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => ({ bytes: statSync(path.join(outdir, file)).size, resources: (JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as { Resources: TemplateResources }).Resources }));
  const main = templates.find((t) => Object.values(t.resources).some((r) => r.Type === 'AWS::Lambda::Function'))?.resources ?? {};
  const role = Object.values(main)
    .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Handler === 'rotation.handler')
    .map((r) => (r.Properties?.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0])[0];
  const asset = readdirSync(outdir).find((name) => name.startsWith('asset.') && statSync(path.join(outdir, name)).isDirectory()) ?? '';
  const bindings = path.join(outdir, asset, ROTATION_BINDINGS_FILE);
  const largest = Math.max(...templates.map((t) => Object.keys(t.resources).length));
  const largestBytes = Math.max(...templates.map((t) => t.bytes));
  console.log(
    `${count} | ${roleUsage(main, role ?? '').inlineCharacters} characters | ${templates.length} | ${largest} resources, ${(largestBytes / 1024).toFixed(0)} KiB | ` +
      `${(statSync(bindings).size / 1024).toFixed(0)} KiB | ${coldBindingsMs(bindings).toFixed(0)} ms | ${synthSeconds.toFixed(1)} s`,
  );
  // 22 MB at 10,000 secrets: nothing to keep.
  rmSync(outdir, { recursive: true, force: true });
}
rmSync(stub, { recursive: true, force: true });
