/**
 * pg-rotator at fleet size: the config stack with 1, 100, 1,000 and 10,000 rotated secrets synthesizes into templates
 * CloudFormation accepts, with a rotation role inside IAM's limits and cdk-nag clean. Half the secrets rotate
 * single-user, half alternate with one of ten admin secrets, as the issue measured at 300. The function code is a stub
 * bundle, so the real bundling hook runs (the bindings file lands in the asset) without esbuild.
 */
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROTATION_BINDINGS_FILE, readRotationBindings } from '../../lambda/config/rotation-bindings';
import { ConfigError } from '../../infra/config/config-error';
import type { PgRotatorConfigInput } from '../../infra/config/schema';
import { IAM_LIMITS, limitProblems, roleUsage, type TemplateResources } from '../../infra/constructs/iam-limits';
import { EVENT_PATTERN_LIMIT } from '../../infra/constructs/rotator-alerts';
import { LAMBDA_ENVIRONMENT_LIMIT_BYTES } from '../../infra/constructs/function-environment';
import { buildStack, synthFindings } from './fixtures';
import { parseConfig } from '../../infra/config/load';
import { stubBundle } from './stub-bundle';
import { fleetConfig } from '../support/fleet-config';

/** CloudFormation's quotas: 500 resources a stack; a template from S3 of at most 1 MB (460,800 bytes before 2024: the stricter). */
const MAX_RESOURCES = 500;
const MAX_TEMPLATE_BYTES = 460_800;

interface Synthesized {
  readonly outdir: string;
  readonly templates: { readonly file: string; readonly bytes: number; readonly resources: TemplateResources }[];
  readonly main: TemplateResources;
  readonly findings: string[];
  readonly bindingsBytes: number;
  readonly bindingsFile: string;
}

function synthesize(input: PgRotatorConfigInput): Synthesized {
  const { app, outdir } = buildStack(parseConfig(input, 'fleet'), { nag: true, functionCode: stubBundle() });
  const findings = synthFindings(app, outdir);
  const templates = readdirSync(outdir)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => {
      const text = readFileSync(join(outdir, file), 'utf8');
      return { file, bytes: Buffer.byteLength(text), resources: (JSON.parse(text) as { Resources: TemplateResources }).Resources };
    });
  const main = templates.find((template) => !template.file.includes('nested'))?.resources ?? {};
  const asset = readdirSync(outdir).find((name) => name.startsWith('asset.') && statSync(join(outdir, name)).isDirectory());
  const bindingsFile = join(outdir, asset ?? '', ROTATION_BINDINGS_FILE);
  return { outdir, templates, main, findings, bindingsBytes: statSync(bindingsFile).size, bindingsFile };
}

const resourcesOfType = (resources: TemplateResources, type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

describe.each([1, 100, 1_000, 10_000])('the config stack with %i rotated secrets', (count) => {
  const synthesized = synthesize(fleetConfig(count));
  const { main, templates } = synthesized;
  // 22 MB of templates and asset at 10,000 secrets.
  afterAll(() => rmSync(synthesized.outdir, { recursive: true, force: true }));

  it('has cdk-nag clean', () => {
    expect(synthesized.findings).toEqual([]);
  });

  it("keeps the rotation function's role within IAM's limits, one size whatever the count", () => {
    const [rotationRole] = resourcesOfType(main, 'AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties?.Handler === 'rotation.handler')
      .map(([, fn]) => (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    const usage = roleUsage(main, rotationRole ?? '');
    console.log(`${count} secrets: rotation role inline policies ${usage.inlineCharacters} characters, ${usage.managedPolicies} managed`);
    expect(usage.inlineCharacters).toBeLessThanOrEqual(IAM_LIMITS.roleInlineCharacters);
    // Ten admin secrets at most, whatever the count: the policy does not grow with the fleet.
    expect(usage.inlineCharacters).toBeLessThan(4_000);
    expect(Object.values(usage.managedPolicyCharacters).every((size) => size <= IAM_LIMITS.managedPolicyCharacters)).toBe(true);
    expect(usage.managedPolicies).toBeLessThanOrEqual(IAM_LIMITS.managedPoliciesPerRole);
  });

  it("keeps every other role of every template within IAM's limits too", () => {
    const roles = templates.flatMap((template) => resourcesOfType(template.resources, 'AWS::IAM::Role').map(([id]) => ({ id, usage: roleUsage(template.resources, id) })));
    expect(roles.length).toBeGreaterThan(1);
    expect(roles.flatMap(({ id, usage }) => limitProblems(id, usage))).toEqual([]);
  });

  it('synthesizes into templates CloudFormation accepts: at most 500 resources and 460,800 bytes each', () => {
    console.log(`${count} secrets: ${templates.length} templates, ${templates.map((t) => `${Object.keys(t.resources).length} resources/${t.bytes} bytes`).join(', ')}`);
    for (const template of templates) {
      expect(Object.keys(template.resources).length, template.file).toBeLessThanOrEqual(MAX_RESOURCES);
      expect(template.bytes, template.file).toBeLessThanOrEqual(MAX_TEMPLATE_BYTES);
    }
    const schedules = templates.flatMap((template) => resourcesOfType(template.resources, 'AWS::SecretsManager::RotationSchedule'));
    expect(schedules).toHaveLength(count);
  });

  it("grows no per-secret list elsewhere: one invoke permission on the rotation function, a RotationFailed pattern within EventBridge's quota, an environment within Lambda's", () => {
    const permissions = resourcesOfType(main, 'AWS::Lambda::Permission').filter(([, permission]) => permission.Properties?.Principal === 'secretsmanager.amazonaws.com');
    expect(permissions).toHaveLength(1);
    // The others (the status function's) are as few at 10,000 secrets as at 1.
    expect(resourcesOfType(main, 'AWS::Lambda::Permission').length).toBeLessThan(5);
    for (const [, rule] of resourcesOfType(main, 'AWS::Events::Rule')) {
      expect(JSON.stringify(rule.Properties?.EventPattern).length).toBeLessThanOrEqual(EVENT_PATTERN_LIMIT);
    }
    for (const [, fn] of resourcesOfType(main, 'AWS::Lambda::Function')) {
      expect(Buffer.byteLength(JSON.stringify(fn.Properties?.Environment))).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT_BYTES);
    }
  });

  it('binds the alternating half in the bindings file of the asset', () => {
    expect(readRotationBindings(synthesized.bindingsFile)).toHaveLength(Math.floor(count / 2));
    console.log(`${count} secrets: ${ROTATION_BINDINGS_FILE} ${synthesized.bindingsBytes} bytes`);
  });
});

describe('past the limits', () => {
  it('refuses 1,000 schedules in one template, pointing to nested stacks and attaching', () => {
    try {
      parseConfig(fleetConfig(1_000, (c) => delete c.scheduleStacks), 'fleet');
      expect.unreachable('the config was accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        { field: 'config.secrets', problem: expect.stringMatching(/^lists 1000 secrets, .*set scheduleStacks \(e\.g\. 4\).*attach the schedules/) },
      ]);
    }
  });

  it('fails the synth naming the role when per-arn grants pass IAM’s limit for a role', () => {
    const config = parseConfig(fleetConfig(300, (c) => (c.secretGrants = 'per-arn')), 'fleet');
    const listed = buildStack(config);
    expect(() => listed.app.synth()).toThrow(/PgRotator\/PgRotator\/Rotator\/Role: its inline policies come to \d+ characters, over IAM's 10240 for a role/);
    // 100 still fit.
    expect(() => buildStack(parseConfig(fleetConfig(100, (c) => (c.secretGrants = 'per-arn')), 'fleet')).app.synth()).not.toThrow();
  });
});
