/**
 * The fleet guide's example (infra/examples/fleet.ts, docs/fleet.md), synthesized: one rotation function per account
 * and VPC, team stacks attaching their secrets to the function of their own account and region, and a pipeline that
 * deploys it all.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack} from 'aws-cdk-lib';
import { App, Stage, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_FLEET, RotatorStage, fleetPipeline, functionArnParameter } from '../../infra/examples/fleet';
import { synthFindings } from './fixtures';
import { stubBundle } from './stub-bundle';

const outdir = () => mkdtempSync(join(tmpdir(), 'pg-rotator-fleet-'));

describe('the fleet example', () => {
  const app = new App({ outdir: outdir() });
  const code = stubBundle();
  const stages = EXAMPLE_FLEET.map((target) => new RotatorStage(app, target.name, { target, functionCode: code }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const findings = synthFindings(app, app.outdir);

  it('synthesizes clean under cdk-nag', () => {
    expect(findings).toEqual([]);
  });

  it('deploys one rotation function per account and VPC, each named for its target', () => {
    const functions = stages.flatMap((stage) =>
      Object.values(Template.fromStack(stage.central).findResources('AWS::Lambda::Function'))
        .filter((fn) => fn.Properties.Handler === 'rotation.handler')
        .map((fn) => ({ name: fn.Properties.FunctionName as string, account: stage.account, region: stage.region, vpc: JSON.stringify(fn.Properties.VpcConfig) })),
    );
    expect(functions.map((fn) => fn.name)).toEqual(EXAMPLE_FLEET.map((target) => `pg-rotator-${target.name}`));
    expect(new Set(functions.map((fn) => `${fn.account}/${fn.region}/${fn.vpc}`)).size).toBe(EXAMPLE_FLEET.length);
  });

  it("attaches every team secret to the function of its own target, through that target's SSM parameter, in the same account and region", () => {
    for (const [i, stage] of stages.entries()) {
      const target = EXAMPLE_FLEET[i];
      if (target === undefined) continue;
      for (const team of stage.teams) {
        expect([team.account, team.region]).toEqual([target.account, target.region]);
        expect(team.dependencies).toContain(stage.central);
        const template = Template.fromStack(team);
        const parameters = template.toJSON().Parameters as Record<string, { Default?: string }>;
        const schedules = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
        expect(schedules.length).toBeGreaterThan(0);
        for (const schedule of schedules) {
          const parameter = (schedule.Properties.RotationLambdaARN as { Ref: string }).Ref;
          expect(parameters[parameter]?.Default).toBe(functionArnParameter(target));
        }
        // Nothing imported from another stack: no export ties a team to its central stack.
        expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
      }
      Template.fromStack(stage.central).hasResourceProperties('AWS::SSM::Parameter', { Name: functionArnParameter(target) });
      Template.fromStack(stage.central).resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    }
  });

  it('rolls out through one pipeline: a stage per target, each central stack before its teams', () => {
    const pipelineApp = new App({ outdir: outdir(), context: { 'aws:cdk:bundling-stacks': [] } });
    fleetPipeline(pipelineApp, 'FleetPipeline', {
      env: { account: '333333333333', region: 'eu-west-1' },
      repository: 'example/pg-rotator-fleet',
      connectionArn: 'arn:aws:codeconnections:eu-west-1:333333333333:connection/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
      fleet: EXAMPLE_FLEET,
    });
    const assembly = pipelineApp.synth();
    const pipelineStack = pipelineApp.node.findChild('FleetPipeline') as Stack;
    const [pipeline] = Object.values(Template.fromStack(pipelineStack).findResources('AWS::CodePipeline::Pipeline'));
    const stages = pipeline?.Properties.Stages as { Name: string; Actions: { Name: string; RunOrder: number }[] }[];
    for (const target of EXAMPLE_FLEET) {
      const order = Object.fromEntries((stages.find((stage) => stage.Name === target.name)?.Actions ?? []).map((action) => [action.Name, action.RunOrder]));
      const team = `Team-${target.teams[0]?.name}`;
      expect(order['PgRotator.Deploy']).toBeLessThan(order[`${team}.Prepare`] ?? 0);
    }
    expect(pipelineApp.node.findAll().filter((c) => c instanceof Stage && c !== pipelineApp)).toHaveLength(EXAMPLE_FLEET.length);
    expect(assembly.nestedAssemblies.length).toBe(EXAMPLE_FLEET.length);
  });
});
