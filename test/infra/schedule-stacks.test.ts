import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MAX_SCHEDULE_STACKS, scheduleStackOf } from '../../infra/constructs/rotation-schedules';
import { buildStack, configIssues, configWith } from './fixtures';

const arn = (i: number) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:teams/app-${i}-AbCdEf`;

/** The nested stack each secret's schedule lands in, by secret ARN. */
function placement(count: number, stacks: number): Map<string, string> {
  const config = configWith((c) => {
    const [first] = c.secrets;
    if (first) c.secrets = Array.from({ length: count }, (_, i) => ({ ...first, arn: arn(i) }));
    c.scheduleStacks = stacks;
    delete c.orchestration;
    c.orchestrators = [];
  });
  const { app, outdir } = buildStack(config);
  app.synth();
  const placed = new Map<string, string>();
  for (const file of readdirSync(outdir).filter((name) => name.endsWith('.nested.template.json'))) {
    const { Resources } = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as { Resources: Record<string, { Type: string; Properties: { SecretId: string } }> };
    for (const resource of Object.values(Resources)) if (resource.Type === 'AWS::SecretsManager::RotationSchedule') placed.set(resource.Properties.SecretId, file);
  }
  return placed;
}

describe('rotation schedules in nested stacks', () => {
  it("places each secret by a hash of its own id, so adding or removing secrets never moves another's schedule", () => {
    const before = placement(20, 3);
    const after = placement(30, 3);
    expect(before.size).toBe(20);
    for (const [secret, home] of before) expect(after.get(secret)).toBe(home);
    expect(new Set(after.values()).size).toBe(3);
  });

  it('depends, nested stack by nested stack, on the invoke permission and the role policies', () => {
    const config = configWith((c) => (c.scheduleStacks = 2));
    const template = Template.fromStack(buildStack(config).stack);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    for (const nested of Object.values(template.findResources('AWS::CloudFormation::Stack'))) {
      expect(nested.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^PgRotatorInvokePermissionsSecretsManager/), expect.stringMatching(/^PgRotatorPoliciesSecretAccess/)]));
    }
  });

  it('spreads evenly enough: 10,000 ids over 25 stacks leave none near the per-template limit', () => {
    const counts = new Array<number>(25).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const index = scheduleStackOf(`Secret-teams-app-${i}`, 25);
      counts[index] = (counts[index] ?? 0) + 1;
    }
    expect(Math.max(...counts)).toBeLessThan(500);
  });

  it('refuses a number of nested stacks outside 1 to 50, naming the field', () => {
    expect(configIssues((c) => (c.scheduleStacks = 0)).map((i) => i.field)).toEqual(['config.scheduleStacks']);
    expect(configIssues((c) => (c.scheduleStacks = MAX_SCHEDULE_STACKS + 1)).map((i) => i.field)).toEqual(['config.scheduleStacks']);
  });
});
