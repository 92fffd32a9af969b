import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, expect } from 'vitest';
import { z } from 'zod';
import type { ConfigIssue } from '../../infra/config/config-error';
import { ConfigError } from '../../infra/config/config-error';
import { DEFAULT_CONFIG_FILE, parseConfig } from '../../infra/config/load';
import type { PgRotatorConfig, PgRotatorConfigInput } from '../../infra/config/schema';
import type { FunctionCodeSource } from '../../infra/constructs/function-code';
import { PgRotatorStack } from '../../infra/pg-rotator-stack';

/** The example config as written, a fresh copy each call so tests can edit it. */
export function exampleInput(): PgRotatorConfigInput {
  return JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as PgRotatorConfigInput;
}

/** The example config with an edit applied, validated. */
export function configWith(edit: (config: PgRotatorConfigInput) => void = () => {}): PgRotatorConfig {
  const input = exampleInput();
  edit(input);
  return parseConfig(input, 'test');
}

/** The issues the schema reports for an edited example; fails the test if the edit is accepted. */
export function configIssues(edit: (config: PgRotatorConfigInput) => void): readonly ConfigIssue[] {
  try {
    configWith(edit);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('config was accepted');
}

export interface SynthOptions {
  /** Run esbuild for real. Off by default: `aws:cdk:bundling-stacks: []` skips bundling for every stack, which
   * keeps these tests at about a second each; test/infra/bundle.test.ts does the one real bundle. */
  readonly bundle?: boolean;
  /** Register cdk-nag's AwsSolutions pack. */
  readonly nag?: boolean;
  /** The functions' code; a stub bundle (stub-bundle.ts) runs the real bundling hook without esbuild. */
  readonly functionCode?: FunctionCodeSource;
}

export interface Synthesized {
  readonly app: App;
  readonly stack: PgRotatorStack;
  readonly outdir: string;
}

/**
 * One directory per test file for the synthesized apps, removed when the file's tests end: a run synthesizes
 * hundreds of them. (Each file imports this module afresh, so the hook is that file's.)
 */
const synthRoot = mkdtempSync(join(tmpdir(), 'pg-rotator-infra-'));
afterAll(() => rmSync(synthRoot, { recursive: true, force: true }));
const freshOutdir = () => mkdtempSync(join(synthRoot, 'app-'));

/** Builds the app's stack from a config, the way infra/bin/app.ts does, in a fresh output directory. */
export function buildStack(config: PgRotatorConfig, options: SynthOptions = {}): Synthesized {
  const outdir = freshOutdir();
  const bundle = options.bundle === true || options.functionCode !== undefined;
  const app = new App({ outdir, context: bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new PgRotatorStack(app, config.stackName, { config, functionCode: options.functionCode });
  if (options.nag === true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, outdir };
}

/** The template of a config's stack (no bundling, no nag). */
export function templateOf(config: PgRotatorConfig): Template {
  return Template.fromStack(buildStack(config).stack);
}

const ValidationReportSchema = z.object({
  pluginReports: z.array(
    z.object({
      violations: z.array(
        z.object({
          ruleName: z.string(),
          violatingConstructs: z.array(z.object({ constructPath: z.string() })),
        }),
      ),
    }),
  ),
});

/**
 * Synthesizes with cdk-nag and returns every unacknowledged finding as `rule @ path`. cdk-nag 3 reports through
 * CDK's policy validation: a finding makes `app.synth()` throw and leaves the report in the output directory.
 */
export function nagFindings(config: PgRotatorConfig, extend?: (synthesized: Synthesized) => void): string[] {
  const synthesized = buildStack(config, { nag: true });
  extend?.(synthesized);
  return synthFindings(synthesized.app, synthesized.outdir);
}

/** Synthesizes an app that has cdk-nag registered and returns its unacknowledged findings as `rule @ path`. */
export function synthFindings(app: App, outdir: string): string[] {
  try {
    app.synth();
    return [];
  } catch (error) {
    const reportFile = join(outdir, 'validation-report.json');
    let text: string;
    try {
      text = readFileSync(reportFile, 'utf8');
    } catch {
      throw error;
    }
    const report = ValidationReportSchema.parse(JSON.parse(text));
    return report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        violation.violatingConstructs.map((construct) => `${violation.ruleName} @ ${construct.constructPath}`),
      ),
    );
  }
}
