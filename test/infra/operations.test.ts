/**
 * Issue 16's infrastructure in the synthesized template: the status function (its role lists metadata and reads no
 * secret value), its hourly schedule (whose input the function's own schema accepts), the alarms on what the check
 * finds and on its silence, and the dashboard's widgets. One synth, with a metrics namespace of the deployment's own.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambda/config/environment';
import { InvalidInputError } from '../../lambda/errors';
import { SCHEDULED_CALLER } from '../../lambda/requests/caller';
import { StatusRequestSchema } from '../../lambda/status/status-request';
import { PgRotator } from '../../infra/constructs/pg-rotator';
import { LAST_FAILURES_QUERY, STATUS_FINDINGS_QUERY } from '../../infra/constructs/rotator-dashboard';
import type { MetricWidget, Widget } from '../../scripts/dashboard/dashboard-widgets';
import { dashboardWidgets, searchOf } from '../../scripts/dashboard/dashboard-widgets';
import type { PgRotatorConfigInput } from '../../infra/config/schema';
import { configIssues, configWith, templateOf } from './fixtures';
import { asArray, iamStatements, type Statement } from './iam-statements';

const NAMESPACE = 'Team/PgRotator';
const INVOKER = 'arn:aws:iam::123456789012:role/db-oncall';

type Resource = { Properties: Record<string, unknown> };
const template = templateOf(configWith((c) => (c.function = { ...c.function, metricsNamespace: NAMESPACE })));
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const functionWith = (handler: string) => {
  const found = resources('AWS::Lambda::Function').find(([, fn]) => fn.Properties.Handler === handler);
  if (!found) throw new Error(`no function with handler ${handler}`);
  return { id: found[0], properties: found[1].Properties };
};
const status = functionWith('status.handler');
const rotation = functionWith('rotation.handler');
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const statusRole = (status.properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
/** Every statement the status function's role holds: its inline policies and every policy attached to it. */
const statusStatements = (): Statement[] => {
  const attached = resources('AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === statusRole))
    .map(([id]) => id);
  return iamStatements(template, (logicalId) => logicalId === statusRole || attached.includes(logicalId));
};

describe('the status function', () => {
  it('runs status.handler from the shared code asset, in the VPC, 256 MB, 2 minutes, one at a time', () => {
    expect(status.properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 120,
      ReservedConcurrentExecutions: 1,
      FunctionName: 'pg-rotator-status',
      Code: rotation.properties.Code,
      VpcConfig: rotation.properties.VpcConfig,
    });
    expect(status.properties.Role).not.toEqual(rotation.properties.Role);
  });

  it("is told the rotation function's ARN, the metrics namespace and the log level, and nothing of the rotation's settings", () => {
    expect((status.properties.Environment as { Variables: unknown }).Variables).toEqual({
      [ENV.rotationFunctionArn]: arnOf(rotation.id),
      [ENV.metricsNamespace]: NAMESPACE,
      [ENV.logLevel]: 'info',
      NODE_OPTIONS: '--enable-source-maps',
    });
    // Every function's metrics go to the deployment's namespace, which the alarms and the dashboard read.
    for (const [, fn] of resources('AWS::Lambda::Function')) {
      expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables[ENV.metricsNamespace]).toBe(NAMESPACE);
    }
  });

  it("may list secrets and the versions of this deployment's rotated secrets, and read no secret value", () => {
    const statements = statusStatements();
    const actions = statements.flatMap((statement) => asArray(statement.Action));
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(actions.filter((action) => !action.startsWith('ec2:') && !action.startsWith('logs:')).sort()).toEqual([
      'secretsmanager:ListSecretVersionIds',
      'secretsmanager:ListSecrets',
    ]);
    expect(statements.filter((statement) => statement.Sid !== undefined)).toEqual([
      { Sid: 'ListSecrets', Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' },
      {
        Sid: 'ListVersionsOfRotatedSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:ListSecretVersionIds',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:123456789012:secret:*']] },
        Condition: { ArnEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': arnOf(rotation.id) } },
      },
    ]);
  });

  it('may be invoked by the configured status invokers and nobody else, and its ARN is an output', () => {
    const onStatus = resources('AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.FunctionName).includes(`"${status.id}"`));
    expect(onStatus.map(([, p]) => p.Properties)).toEqual([{ Action: 'lambda:InvokeFunction', FunctionName: arnOf(status.id), Principal: INVOKER }]);
    template.hasOutput('StatusFunctionArn', { Value: arnOf(status.id) });
  });

  it('refuses a function name that would make its own over 64 characters, and a profile named status', () => {
    const alone = (c: PgRotatorConfigInput, functionName: string) => {
      c.function = { functionName };
      c.orchestrators = [];
      delete c.orchestration;
    };
    expect(() => configWith((c) => alone(c, 'f'.repeat(57)))).not.toThrow();
    expect(configIssues((c) => alone(c, 'f'.repeat(58)))).toEqual([
      { field: 'config.function.functionName', problem: "must be 1-57 letters, digits, - or _ (the status function is <functionName>-status, within Lambda's 64 characters)" },
    ]);
    expect(configIssues((c) => (c.orchestration = { profiles: { status: { orchestrators: [{ accountId: '123456789012' }] } } }))).toEqual([
      { field: 'config.orchestration.profiles.status', problem: 'must not be status: the status function is named <functionName>-status' },
    ]);
    const compose = (functionName: string) => () => {
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Composed');
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      new PgRotator(stack, 'Rotator', {
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        databases: [],
        secretsManagerAccess: { mode: 'nat' },
        rotations: [],
        functionName,
      });
    };
    expect(compose('f'.repeat(57))).not.toThrow();
    expect(compose('f'.repeat(58))).toThrow(InvalidInputError);
    expect(compose('f'.repeat(58))).toThrow(/^functionName: makes the status function's name f+-status \(65 characters\)/);
  });
});

describe('the scheduled status check', () => {
  const [scheduleId, schedule] = resources('AWS::Scheduler::Schedule').find(([, s]) => JSON.stringify(s.Properties.Target).includes(`"${status.id}"`)) ?? [];
  const target = schedule?.Properties.Target as { Arn: unknown; Input: string; RoleArn: { 'Fn::GetAtt': [string, string] } };

  it('invokes the status function hourly with a status request its own schema accepts', () => {
    expect(scheduleId).toBeDefined();
    expect(schedule?.Properties).toMatchObject({ ScheduleExpression: 'rate(1 hour)', ScheduleExpressionTimezone: 'UTC', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(target.Arn).toEqual(arnOf(status.id));
    const request = StatusRequestSchema.parse(JSON.parse(target.Input));
    // The whole fleet (no namePrefix: only then are the counts metrics), counts only, and the schedule as caller.
    expect(request).toEqual({ kind: 'status', list: 'none', caller: SCHEDULED_CALLER });
  });

  it('invokes through a role only its own schedule group may assume, which may invoke the status function alone', () => {
    const [, role] = resources('AWS::IAM::Role').find(([id]) => id === target.RoleArn['Fn::GetAtt'][0]) ?? [];
    const [groupId] = resources('AWS::Scheduler::ScheduleGroup').find(([, group]) => group.Properties.Name === schedule?.Properties.GroupName) ?? [];
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnEquals: { 'aws:SourceArn': arnOf(groupId ?? '(no group)') } },
        },
      ],
    });
    expect(role?.Properties.Policies).toEqual([
      { PolicyName: 'InvokeStatusFunction', PolicyDocument: { Version: '2012-10-17', Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: arnOf(status.id) }] } },
    ]);
  });
});

describe('the status alarms', () => {
  const alarms = resources('AWS::CloudWatch::Alarm')
    .map(([, alarm]) => alarm.Properties)
    .filter((alarm) => alarm.Namespace === NAMESPACE);

  it.each([
    ['StuckSecrets', 'Maximum', 3600, 'GreaterThanThreshold', 0, 'notBreaching'],
    ['OverdueSecrets', 'Maximum', 3600, 'GreaterThanThreshold', 0, 'notBreaching'],
    ['StatusIncomplete', 'Maximum', 3600, 'GreaterThanThreshold', 0, 'notBreaching'],
    // A check that stopped running: no sample in two hours, missing data breaching.
    ['ManagedSecrets', 'SampleCount', 7200, 'LessThanThreshold', 1, 'breaching'],
  ] as const)('alarm on %s (%s over %i s, %s %i, missing data %s), notifying the alert topic', (metric, statistic, period, comparison, threshold, missing) => {
    const matching = alarms.filter((alarm) => alarm.MetricName === metric);
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({
      Namespace: NAMESPACE,
      Statistic: statistic,
      Period: period,
      EvaluationPeriods: 1,
      ComparisonOperator: comparison,
      Threshold: threshold,
      TreatMissingData: missing,
    });
    expect(matching[0]?.Dimensions).toBeUndefined();
    expect(matching[0]?.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^PgRotatorAlertTopic/) }]);
  });

  it('are the only alarms in the namespace', () => {
    expect(alarms.map((alarm) => alarm.MetricName).sort()).toEqual(['ManagedSecrets', 'OverdueSecrets', 'StatusIncomplete', 'StuckSecrets']);
  });
});

describe('the dashboard', () => {
  const widgets = dashboardWidgets(template.toJSON());
  const titled = (title: string): Widget => {
    const found = widgets.find((widget) => widget.properties.title === title);
    if (!found) throw new Error(`no widget titled ${title}`);
    return found;
  };
  const metricWidget = (title: string): MetricWidget => {
    const widget = titled(title);
    if (widget.type !== 'metric') throw new Error(`${title} is not a metric widget`);
    return widget;
  };
  /** A plain metric entry as [namespace, name, statistic]. */
  const plain = (widget: MetricWidget) => widget.properties.metrics.map((m) => [m[0], m[1], (m[m.length - 1] as { stat?: string }).stat]);
  const searches = (widget: MetricWidget) => widget.properties.metrics.map(searchOf);
  const search = (dimensions: string, metric: string, statistic: string) =>
    `SEARCH('{"${NAMESPACE}",${dimensions}} MetricName="${metric}"', '${statistic}', 3600)`;

  it('lays out its widgets on the 24-column grid without overlap', () => {
    expect(widgets.map((w) => [w.type, w.properties.title])).toEqual([
      ['metric', 'Status check: secrets by finding'],
      ['metric', 'Rotations completed and steps failed'],
      ['metric', 'Step failures by error code'],
      ['metric', 'Rotation duration by strategy (p50, p90, p99)'],
      ['metric', 'Step duration p90 by step'],
      ['metric', 'Actions by action and outcome'],
      ['log', 'Last rotation failures (rotation function log)'],
      ['log', 'Stuck and overdue secrets (status function log)'],
    ]);
    const cells = widgets.flatMap((w) => Array.from({ length: w.width * w.height }, (_, i) => `${w.x + (i % w.width)},${w.y + Math.floor(i / w.width)}`));
    expect(new Set(cells).size).toBe(cells.length);
    for (const w of widgets) expect(w.x + w.width).toBeLessThanOrEqual(24);
  });

  it("shows the last check's findings as numbers", () => {
    const widget = metricWidget('Status check: secrets by finding');
    expect(widget.properties.view).toBe('singleValue');
    expect(plain(widget)).toEqual(['StuckSecrets', 'OverdueSecrets', 'RotationDisabledSecrets', 'ManagedSecrets'].map((name) => [NAMESPACE, name, 'Maximum']));
  });

  it('graphs rotations and failed steps over time, and failures by error code', () => {
    expect(plain(metricWidget('Rotations completed and steps failed'))).toEqual([
      [NAMESPACE, 'RotationsCompleted', 'Sum'],
      [NAMESPACE, 'StepFailures', 'Sum'],
    ]);
    expect(searches(metricWidget('Step failures by error code'))).toEqual([search('Code', 'StepFailures', 'Sum')]);
  });

  it('graphs rotation duration percentiles by strategy, step duration p90 by step, and actions by outcome', () => {
    expect(searches(metricWidget('Rotation duration by strategy (p50, p90, p99)'))).toEqual(['p50', 'p90', 'p99'].map((p) => search('Strategy', 'RotationDuration', p)));
    expect(searches(metricWidget('Step duration p90 by step'))).toEqual([search('Step,Outcome', 'StepDuration', 'p90')]);
    expect(searches(metricWidget('Actions by action and outcome'))).toEqual([search('Action,Outcome', 'Actions', 'Sum')]);
  });

  it("runs the docs' Logs Insights queries on the rotation and status functions' log groups", () => {
    const logGroupOf = (handler: string) => (functionWith(handler).properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(titled('Last rotation failures (rotation function log)').properties).toMatchObject({
      view: 'table',
      query: `SOURCE '<${logGroupOf('rotation.handler')}>' | ${LAST_FAILURES_QUERY}`,
    });
    expect(titled('Stuck and overdue secrets (status function log)').properties).toMatchObject({
      view: 'table',
      query: `SOURCE '<${logGroupOf('status.handler')}>' | ${STATUS_FINDINGS_QUERY}`,
    });
  });
});
