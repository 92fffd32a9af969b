/**
 * Orchestrator profiles (issue 12, item 4) and their expiry schedules and alarms, in the synthesized template: each
 * profile its own function, role, grants, environment and invoke permissions, sharing the one code asset; what a
 * profile asks for that it cannot have fails the synth naming the field. The function side (a request to one profile
 * cannot use another's admin secret) is test/security/profiles.db.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { PermissionPolicyInput } from '../../lambda/actions/permission-policy';
import { PermissionPolicySchema } from '../../lambda/actions/permission-policy';
import { ENV } from '../../lambda/config/environment';
import { InvalidInputError } from '../../lambda/errors';
import type { PgRotatorConfigInput } from '../../infra/config/schema';
import { PgRotator, type PgRotatorProps } from '../../infra/constructs/pg-rotator';
import { configIssues, configWith, nagFindings, synthFindings, templateOf } from './fixtures';
import { asArray, type Statement } from './iam-statements';

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
const ADMIN = ARN('prod/orders/admin-GhI789');
const BREAK_GLASS = ARN('prod/orders/breakglass-JkL012');
const ACCESS_ROLE = 'arn:aws:iam::123456789012:role/access-requests';
const INCIDENT_ROLE = 'arn:aws:iam::123456789012:role/incident-tooling';
const ACCESS_POLICY: PermissionPolicyInput = {
  actions: ['create-temporary-user', 'expire-temporary-users'],
  temporaryUsers: { prefix: 'tmp_', maxValidity: '8h', roles: ['orders_readonly'] },
};
const INCIDENT_POLICY: PermissionPolicyInput = { actions: ['lock-user', 'unlock-user'], roles: { names: ['orders_*'] } };

/** The example config moved to two profiles, as docs/deploy.md shows it. */
function twoProfiles(c: PgRotatorConfigInput): void {
  c.orchestrators = [];
  c.orchestration = {
    profiles: {
      'access-requests': {
        orchestrators: [{ roleArn: ACCESS_ROLE }],
        adminSecrets: [{ arn: ADMIN }],
        passwordSecrets: { namePrefix: 'pg-rotator/access/' },
        policy: ACCESS_POLICY,
      },
      incident: {
        orchestrators: [{ roleArn: INCIDENT_ROLE }],
        adminSecrets: [{ arn: BREAK_GLASS }],
        passwordSecrets: { namePrefix: 'pg-rotator/incident/' },
        policy: INCIDENT_POLICY,
        reservedConcurrency: 2,
      },
    },
  };
}

type Resource = { Properties: Record<string, unknown> };
const resources = (template: Template, type: string) => Object.entries(template.findResources(type)) as [string, Resource][];

/** A function's logical id, environment and role, by its name. */
function functionNamed(template: Template, name: string) {
  const found = resources(template, 'AWS::Lambda::Function').find(([, fn]) => fn.Properties.FunctionName === name);
  if (found === undefined) throw new Error(`no function ${name}`);
  const [id, fn] = found;
  return {
    id,
    variables: (fn.Properties.Environment as { Variables: Record<string, string> }).Variables,
    role: (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
    reserved: fn.Properties.ReservedConcurrentExecutions,
  };
}

/** The statements of the policies attached to a role. */
function statementsOf(template: Template, role: string): Statement[] {
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const references = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

type ScheduleProperties = { ScheduleExpression: string; Target: { Arn: unknown; Input: string; RoleArn: { 'Fn::GetAtt': [string, string] } } };
/** The expire-temporary-users schedules: every schedule but the status check's (operations.test.ts). */
const expirySchedules = (template: Template) =>
  resources(template, 'AWS::Scheduler::Schedule')
    .map(([, s]) => s.Properties as ScheduleProperties)
    .filter((s) => (JSON.parse(s.Target.Input) as { kind: string }).kind !== 'status');

describe('two orchestrator profiles', () => {
  const template = templateOf(configWith(twoProfiles));
  const access = functionNamed(template, 'pg-rotator-access-requests');
  const incident = functionNamed(template, 'pg-rotator-incident');

  it('are two functions on the one code asset, beside the rotation and status functions, and no shorthand function', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    const code = resources(template, 'AWS::Lambda::Function').map(([, fn]) => JSON.stringify(fn.Properties.Code));
    expect(new Set(code).size).toBe(1);
    expect(resources(template, 'AWS::Lambda::Function').map(([, fn]) => fn.Properties.FunctionName)).not.toContain('pg-rotator-orchestrator');
    expect([access.reserved, incident.reserved]).toEqual([5, 2]);
  });

  it('each gets its own policy, profile, admin allow list and password prefix, and nothing of the other', () => {
    // As the config's schema read it, defaults written out.
    expect(JSON.parse(access.variables[ENV.permissionPolicy] as string)).toEqual(PermissionPolicySchema.parse(ACCESS_POLICY));
    expect(JSON.parse(incident.variables[ENV.permissionPolicy] as string)).toEqual(PermissionPolicySchema.parse(INCIDENT_POLICY));
    expect([access.variables[ENV.profile], incident.variables[ENV.profile]]).toEqual(['access-requests', 'incident']);
    expect([access.variables[ENV.adminSecretArns], incident.variables[ENV.adminSecretArns]]).toEqual([ADMIN, BREAK_GLASS]);
    expect([access.variables[ENV.passwordSecretPrefix], incident.variables[ENV.passwordSecretPrefix]]).toEqual(['pg-rotator/access/', 'pg-rotator/incident/']);
  });

  it("each has its own role, which reads only that profile's admin secret and writes only under its prefix", () => {
    expect(access.role).not.toBe(incident.role);
    const reads = (role: string) => statementsOf(template, role).filter((s) => s.Sid === 'ReadRequestSecrets').flatMap((s) => asArray(s.Resource));
    expect(reads(access.role)).toEqual([ADMIN]);
    expect(reads(incident.role)).toEqual([BREAK_GLASS]);
    const managed = (role: string) => JSON.stringify(statementsOf(template, role).filter((s) => s.Sid === 'ManagePasswordSecrets'));
    expect(managed(access.role)).toContain('secret:pg-rotator/access/*');
    expect(managed(access.role)).not.toContain('incident');
    expect(managed(incident.role)).toContain('secret:pg-rotator/incident/*');
    expect(managed(incident.role)).not.toContain('access');
  });

  it("lets each profile's principals invoke that profile's function and no other", () => {
    const permissions = resources(template, 'AWS::Lambda::Permission').map(([, p]) => p.Properties);
    const principalsOf = (id: string) => permissions.filter((p) => references(p.FunctionName, id)).map((p) => p.Principal);
    expect(principalsOf(access.id)).toEqual([ACCESS_ROLE]);
    expect(principalsOf(incident.id)).toEqual([INCIDENT_ROLE]);
  });

  it("outputs each profile's function ARN", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(references(outputs.OrchestratorFunctionArnAccessRequests?.Value, access.id)).toBe(true);
    expect(references(outputs.OrchestratorFunctionArnIncident?.Value, incident.id)).toBe(true);
    expect(outputs.OrchestratorFunctionArn).toBeUndefined();
  });

  it('schedules expire-temporary-users hourly for the profile whose policy enables it, on its admin secret, through its own role', () => {
    const schedules = expirySchedules(template);
    expect(schedules).toHaveLength(1);
    const [schedule] = schedules;
    expect(schedule?.ScheduleExpression).toBe('rate(1 hour)');
    expect(references(schedule?.Target.Arn, access.id)).toBe(true);
    expect(JSON.parse(schedule?.Target.Input ?? '{}')).toEqual({
      kind: 'action',
      action: 'expire-temporary-users',
      target: { adminSecretArn: ADMIN },
      params: {},
      caller: 'schedule',
    });
    // The scheduler's role may invoke that function alone, and only this group's schedules may assume it.
    const role = template.toJSON().Resources[schedule?.Target.RoleArn['Fn::GetAtt'][0] as string].Properties;
    expect(role.Policies).toEqual([
      { PolicyName: 'InvokeProfileFunction', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [access.id, 'Arn'] } }] } },
    ]);
    expect(role.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/ExpiryaccessrequestsGroup/), 'Arn'] } } },
    });
  });

  it('alarms on protected refusals for each profile, and on failed or dropped scheduled expiry where there is a schedule', () => {
    const filters = resources(template, 'AWS::Logs::MetricFilter').map(([, f]) => f.Properties as { FilterPattern: string; LogGroupName: { Ref: string }; MetricTransformations: { MetricName: string }[] });
    const logGroupOf = (fnId: string) => {
      const fn = template.toJSON().Resources[fnId].Properties;
      return (fn.LoggingConfig.LogGroup as { Ref: string }).Ref;
    };
    const metricsOn = (fnId: string) => filters.filter((f) => f.LogGroupName.Ref === logGroupOf(fnId)).map((f) => f.MetricTransformations[0]?.MetricName).sort();
    expect(metricsOn(access.id)).toEqual(['ProtectedRefusals', 'ScheduledExpiryFailures']);
    expect(metricsOn(incident.id)).toEqual(['ProtectedRefusals']);
    expect(filters.map((f) => f.FilterPattern)).toEqual(
      expect.arrayContaining([
        '{ ($.message = "audit") && ($.audit.rule = "protected.*") }',
        '{ ($.message = "audit") && ($.audit.caller = "schedule") && ($.audit.action = "expire-temporary-users") && ($.audit.outcome != "ok") }',
      ]),
    );
    const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties as { MetricName: string; Namespace: string; Dimensions?: { Name: string; Value: unknown }[]; AlarmActions: unknown[] });
    const audited = alarms.filter((a) => a.Namespace === 'PgRotator/Audit').map((a) => `${a.MetricName} ${JSON.stringify(a.Dimensions)}`).sort();
    expect(audited).toEqual([
      'ProtectedRefusals [{"Name":"Profile","Value":"access-requests"}]',
      'ProtectedRefusals [{"Name":"Profile","Value":"incident"}]',
      'ScheduledExpiryFailures [{"Name":"Profile","Value":"access-requests"}]',
    ]);
    expect(alarms.filter((a) => a.Namespace === 'AWS/Scheduler').map((a) => a.MetricName)).toEqual(['InvocationDroppedCount']);
    // A deployment with a namespace of its own counts its audit records there, apart from any other deployment's.
    const orders = templateOf(configWith((c) => {
      twoProfiles(c);
      c.function = { ...c.function, metricsNamespace: 'PgRotator/Orders' };
    }));
    const namespaces = resources(orders, 'AWS::CloudWatch::Alarm').map(([, a]) => (a.Properties as { Namespace: string }).Namespace);
    expect(namespaces).toContain('PgRotator/Orders/Audit');
    expect(namespaces).not.toContain('PgRotator/Audit');
    // Every alarm goes to the alert topic, and each function has its Errors alarm.
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
    expect(alarms.filter((a) => a.MetricName === 'Errors')).toHaveLength(3);
  });

  it('is clean under cdk-nag', () => {
    expect(nagFindings(configWith(twoProfiles))).toEqual([]);
  });
});

describe('the shorthand profile', () => {
  it("keeps pg-rotator's one orchestrator: its function name, its resources' ids, and its output", () => {
    const shorthand = templateOf(configWith());
    const named = templateOf(
      configWith((c) => {
        const { orchestration } = c;
        c.orchestration = { profiles: { orchestrator: { ...orchestration, orchestrators: c.orchestrators } } };
        c.orchestrators = [];
      }),
    );
    const ids = (template: Template) => Object.keys(template.toJSON().Resources as object).sort();
    expect(ids(named)).toEqual(ids(shorthand));
    expect(functionNamed(shorthand, 'pg-rotator-orchestrator').id).toMatch(/^PgRotatorOrchestratorFunction/);
    expect(functionNamed(shorthand, 'pg-rotator-orchestrator').variables[ENV.profile]).toBe('orchestrator');
    expect(Object.keys(shorthand.toJSON().Outputs as object)).toContain('OrchestratorFunctionArn');
  });

  it('coexists with named profiles, and may not be declared both ways', () => {
    const both = templateOf(configWith((c) => Object.assign(c.orchestration ?? {}, { profiles: { incident: { orchestrators: [{ roleArn: INCIDENT_ROLE }] } } })));
    expect(() => functionNamed(both, 'pg-rotator-orchestrator')).not.toThrow();
    expect(() => functionNamed(both, 'pg-rotator-incident')).not.toThrow();
    expect(configIssues((c) => Object.assign(c.orchestration ?? {}, { profiles: { orchestrator: { orchestrators: [{ roleArn: INCIDENT_ROLE }] } } })).map((i) => i.field)).toEqual([
      'config.orchestration.profiles.orchestrator',
    ]);
  });
});

describe('what a profile cannot have fails the config, naming the field', () => {
  const issues = (edit: (c: PgRotatorConfigInput) => void) => configIssues(edit).map((issue) => `${issue.field}: ${issue.problem}`);
  const profile = (c: PgRotatorConfigInput, name: string, value: object) => {
    twoProfiles(c);
    Object.assign(c.orchestration?.profiles ?? {}, { [name]: value });
  };

  it('a function name over Lambda 64 characters', () => {
    expect(() => configWith((c) => (c.function = { functionName: 'p'.repeat(51) }))).not.toThrow();
    expect(issues((c) => (c.function = { functionName: 'p'.repeat(52) }))).toEqual([
      `config.function.functionName: makes the function name ${'p'.repeat(52)}-orchestrator (65 characters), over Lambda's 64; shorten functionName or the profile's name`,
    ]);
    expect(
      issues((c) => {
        twoProfiles(c);
        c.function = { functionName: 'p'.repeat(50) };
      }),
    ).toEqual([`config.orchestration.profiles.access-requests: makes the function name ${'p'.repeat(50)}-access-requests (66 characters), over Lambda's 64; shorten functionName or the profile's name`]);
  });

  it('a profile name that is not lower-case words', () => {
    expect(issues((c) => profile(c, 'Incident_2', { orchestrators: [{ roleArn: INCIDENT_ROLE }] })).map((i) => i.split(': ')[0])).toEqual(['config.orchestration.profiles.Incident_2']);
  });

  it('a password prefix another profile overlaps', () => {
    expect(issues((c) => profile(c, 'audit', { orchestrators: [{ roleArn: INCIDENT_ROLE }], passwordSecrets: { namePrefix: 'pg-rotator/' } }))).toEqual([
      'config.orchestration.profiles.audit.passwordSecrets.namePrefix: overlaps config.orchestration.profiles.access-requests.passwordSecrets.namePrefix (pg-rotator/access/); each profile needs a prefix of its own',
    ]);
  });

  it('an expiry schedule the policy does not enable, or on an admin secret not its own', () => {
    expect(issues((c) => profile(c, 'incident', { orchestrators: [{ roleArn: INCIDENT_ROLE }], adminSecrets: [{ arn: BREAK_GLASS }], policy: INCIDENT_POLICY, expireTemporaryUsers: {} }))).toEqual([
      "config.orchestration.profiles.incident.expireTemporaryUsers: schedules expire-temporary-users, which the profile's policy does not enable; add it to policy.actions or leave the schedule out",
    ]);
    expect(
      issues((c) => {
        twoProfiles(c);
        const accessProfile = c.orchestration?.profiles?.['access-requests'];
        if (accessProfile) accessProfile.expireTemporaryUsers = { schedule: 'rate(15 minutes)', targets: [{ adminSecret: { arn: BREAK_GLASS } }] };
      }),
    ).toEqual(["config.orchestration.profiles.access-requests.expireTemporaryUsers.targets[0].adminSecret: must be one of the profile's adminSecrets: its function acts only as those"]);
    expect(issues((c) => Object.assign(c.orchestration ?? {}, { expireTemporaryUsers: { schedule: 'rate(1 hours)' } }))).toEqual([
      'config.orchestration.expireTemporaryUsers.schedule: rate(1 …) takes a singular unit: rate(1 hour)',
    ]);
  });

  it('a policy that creates temporary users and never expires them, unless the deployer says something else does', () => {
    const creatingOnly: PermissionPolicyInput = { actions: ['create-temporary-user'], temporaryUsers: ACCESS_POLICY.temporaryUsers };
    const tmp = { orchestrators: [{ roleArn: ACCESS_ROLE }], adminSecrets: [{ arn: BREAK_GLASS }], policy: creatingOnly };
    expect(issues((c) => profile(c, 'tmp', tmp))).toEqual([
      'config.orchestration.profiles.tmp.policy.actions: enables create-temporary-user but not expire-temporary-users, so expired users, their sessions and grants would pile up; add expire-temporary-users (the construct then schedules it hourly), or set expireTemporaryUsers to false where something else expires them',
    ]);
    expect(() => configWith((c) => profile(c, 'tmp', { ...tmp, expireTemporaryUsers: false }))).not.toThrow();
  });

  it('a profile nothing could invoke', () => {
    expect(issues((c) => profile(c, 'idle', { adminSecrets: [{ arn: BREAK_GLASS }] }))).toEqual([
      'config.orchestration.profiles.idle.orchestrators: is empty and the profile schedules no expiry, so nothing could invoke its function; name who may invoke it',
    ]);
  });
});

describe('expiry schedules', () => {
  it('follow the profile: a cron of its own on the targets it names, or none with false', () => {
    const custom = templateOf(
      configWith((c) =>
        Object.assign(c.orchestration ?? {}, { expireTemporaryUsers: { schedule: 'cron(15 * * * ? *)', targets: [{ adminSecret: { arn: ADMIN }, database: 'orders' }] } }),
      ),
    );
    custom.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(15 * * * ? *)', Target: { Input: Match.stringLikeRegexp('"database":"orders"') } });
    const none = templateOf(configWith((c) => Object.assign(c.orchestration ?? {}, { expireTemporaryUsers: false })));
    expect(expirySchedules(none)).toEqual([]);
    // The status check's group alone.
    none.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });
});

describe('tag-bound rotated roles', () => {
  /** A stack composing the construct, as docs/deploy.md shows it. */
  function build(props: Partial<PgRotatorProps>, outdir?: string): { app: App; stack: Stack } {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Composed', { env: { account: '111122223333', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const admin = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Admin', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db/admin-AbCdEf');
    new PgRotator(stack, 'Rotator', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      databases: [{ securityGroup: new ec2.SecurityGroup(stack, 'Database', { vpc }) }],
      secretsManagerAccess: { mode: 'create-endpoint' },
      rotations: [],
      orchestrators: [{ roleArn: 'arn:aws:iam::111122223333:role/orchestrator' }],
      orchestration: { adminSecrets: [admin], profiles: { incident: { orchestrators: [{ roleArn: INCIDENT_ROLE.replace('123456789012', '111122223333') }] } } },
      ...props,
      ...(props.taggedRotations ? { taggedRotations: { adminSecrets: [admin] } } : {}),
    });
    return { app, stack };
  }
  const composed = (props: Partial<PgRotatorProps>) => Template.fromStack(build(props).stack);
  // The status function's own ListSecrets aside (operations.test.ts).
  const listers = (template: Template) =>
    resources(template, 'AWS::IAM::Policy').filter(([id, policy]) => !id.includes('OperationsStatus') && JSON.stringify(policy.Properties).includes('secretsmanager:ListSecrets'));

  it('are listed by every profile where the deployment binds secrets by tags, with ListSecrets granted for that alone', () => {
    const tagged = composed({ taggedRotations: { adminSecrets: [] } });
    const variables = resources(tagged, 'AWS::Lambda::Function').filter(([, fn]) => fn.Properties.Handler === 'orchestrator.handler').map(([, fn]) => (fn.Properties.Environment as { Variables: Record<string, string> }).Variables);
    expect(variables.map((v) => v[ENV.protectTagBoundRoles])).toEqual(['true', 'true']);
    expect(listers(tagged)).toHaveLength(2);
    expect(listers(tagged).map(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)).toEqual([
      [{ Sid: 'ListTagBoundSecrets', Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' }],
      [{ Sid: 'ListTagBoundSecrets', Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' }],
    ]);
  });

  it('acknowledge the ListSecrets wildcard on that one policy, so cdk-nag stays clean', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'pg-rotator-tagged-'));
    const { app } = build({ taggedRotations: { adminSecrets: [] } }, outdir);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // The composing stack's own VPC and empty rotation list draw findings of their own; the profiles' policies none.
    const findings = synthFindings(app, outdir);
    expect(findings.filter((finding) => finding.includes('/Rotator/Orchestration') || finding.includes('IAM5'))).toEqual([]);
  });

  it('are not listed, nor ListSecrets granted, where every binding is in the bindings file', () => {
    const fileOnly = composed({});
    const variables = resources(fileOnly, 'AWS::Lambda::Function').map(([, fn]) => (fn.Properties.Environment as { Variables: Record<string, string> }).Variables);
    expect(variables.map((v) => v[ENV.protectTagBoundRoles])).toEqual([undefined, undefined, undefined, undefined]);
    expect(listers(fileOnly)).toEqual([]);
  });

  it('a construct profile that creates temporary users and never expires them fails naming its policy', () => {
    const tmp = { orchestrators: [{ accountId: '111122223333' }], policy: { actions: ['create-temporary-user' as const], temporaryUsers: ACCESS_POLICY.temporaryUsers } };
    expect(() => composed({ orchestration: { profiles: { tmp } } })).toThrow(/^orchestration\.profiles\.tmp\.policy\.actions: enables create-temporary-user but not expire-temporary-users/);
    expect(() => composed({ orchestration: { profiles: { tmp: { ...tmp, expireTemporaryUsers: false } } } })).not.toThrow();
  });

  it('a construct whose function name makes a profile function name too long fails naming the prop', () => {
    expect(() => composed({ functionName: 'f'.repeat(51) })).not.toThrow();
    expect(() => composed({ functionName: 'f'.repeat(52) })).toThrow(InvalidInputError);
    expect(() => composed({ functionName: 'f'.repeat(52) })).toThrow(/^functionName: makes the function name f+-orchestrator \(65 characters\)/);
    expect(() => composed({ functionName: 'f'.repeat(51), orchestration: { profiles: { 'incident-response-team': { orchestrators: [{ accountId: '111122223333' }] } } } })).toThrow(
      /^orchestration\.profiles\.incident-response-team: makes the function name f+-incident-response-team \(74 characters\)/,
    );
  });
});
