import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambda/config/environment';
import { InvalidInputError } from '../../lambda/errors';
import { buildFunctionEnvironment } from '../../infra/constructs/function-environment';
import { PgRotator, type PgRotatorProps } from '../../infra/constructs/pg-rotator';
import { SCHEDULES_PER_TEMPLATE } from '../../infra/constructs/rotation-schedules';

/** A stack composing PgRotator with resources it owns, as a user of the construct would. */
function composed(overrides: (stack: Stack) => Partial<PgRotatorProps> = () => ({})) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Composed', { env: { account: '111122223333', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const database = new ec2.SecurityGroup(stack, 'Database', { vpc });
  const key = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
  const secret = new secretsmanager.Secret(stack, 'AppSecret', { encryptionKey: key });
  const rotator = new PgRotator(stack, 'Rotator', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    databases: [{ securityGroup: database, addIngressRule: true }],
    secretsManagerAccess: { mode: 'create-endpoint' },
    rotations: [{ secret, schedule: 'rate(12 hours)', window: '2h' }],
    ...overrides(stack),
  });
  return { stack, rotator, secret };
}

describe('PgRotator construct', () => {
  it('works with secrets and keys owned by the same stack', () => {
    const { stack } = composed();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^AppSecret') },
      RotationRules: { ScheduleExpression: 'rate(12 hours)', Duration: '2h' },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as unknown[],
    );
    // By condition: the secret's rotation function and key are what grant, so the stack's own secret and key need no listing.
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Sid: 'RotateSecretsOfThisFunction', Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': expect.anything() } } }),
        expect.objectContaining({ Sid: 'SecretKeysThroughSecretsManager', Condition: expect.objectContaining({ StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } }) }),
      ]),
    );
    const listed = Template.fromStack(composed(() => ({ secretGrants: 'per-arn' })).stack);
    const listedStatements = Object.values(listed.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as unknown[]);
    expect(listedStatements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Sid: 'RotateSecrets', Resource: { Ref: expect.stringMatching(/^AppSecret/) } }),
        expect.objectContaining({
          Sid: 'RotatedSecretKeys',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^SecretKey/), 'Arn'] },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        }),
      ]),
    );
  });

  it('synthesizes with no scheduled rotation, granting no rotation access', () => {
    const template = Template.fromStack(composed(() => ({ rotations: [] })).stack);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Sid?: string }[]);
    expect(statements.map((statement) => statement.Sid)).not.toContain('RotateSecrets');
    expect(statements.map((statement) => statement.Sid)).not.toContain('RotateSecretsOfThisFunction');
  });

  it('rejects a schedule Secrets Manager would refuse, naming the rotation', () => {
    expect(() => composed(() => ({ rotations: [] }))).not.toThrow();
    const bad = () =>
      composed((stack) => ({
        rotations: [{ secret: new secretsmanager.Secret(stack, 'Other'), schedule: 'cron(30 2 ? * SUN *)' }],
      }));
    expect(bad).toThrow(InvalidInputError);
    expect(bad).toThrow('rotations[0].schedule: cron minutes must be 0');
  });

  it("fails the synth naming an orchestrator profile's role whose listed secrets pass IAM's limit for a role", () => {
    const connectionSecrets = (stack: Stack, count: number) =>
      Array.from({ length: count }, (_, i) =>
        secretsmanager.Secret.fromSecretCompleteArn(stack, `Connection${i}`, `arn:aws:secretsmanager:us-east-1:111122223333:secret:teams/connection-${i}-AbCdEf`),
      );
    const synth = (count: number) => {
      const { stack } = composed((scope) => ({ orchestrators: [{ accountId: '111122223333' }], orchestration: { connectionSecrets: connectionSecrets(scope, count) } }));
      return () => (stack.node.root as App).synth();
    };
    expect(synth(20)).not.toThrow();
    expect(synth(150)).toThrow(/Composed\/Rotator\/Orchestrator\/Role: its inline policies come to \d+ characters, over IAM's 10240 for a role/);
  });

  it('refuses more schedules than one template holds, at synth and naming the way on, unless spread over nested stacks', () => {
    const rotations = (stack: Stack, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        secret: secretsmanager.Secret.fromSecretCompleteArn(stack, `Team${i}`, `arn:aws:secretsmanager:us-east-1:111122223333:secret:teams/app-${i}-AbCdEf`),
        schedule: 'rate(30 days)',
      }));
    expect(() => composed((stack) => ({ rotations: rotations(stack, SCHEDULES_PER_TEMPLATE) }))).not.toThrow();
    const tooMany = () => composed((stack) => ({ rotations: rotations(stack, SCHEDULES_PER_TEMPLATE + 1) }));
    expect(tooMany).toThrow(InvalidInputError);
    expect(tooMany).toThrow(/^rotations: has 401 rotation schedules, more than one template holds here .*scheduleStacks.*PgRotatorAttachment/);
    expect(() => composed((stack) => ({ rotations: rotations(stack, SCHEDULES_PER_TEMPLATE + 1), scheduleStacks: 2 }))).not.toThrow();
  });
});

describe('PgRotator rotation bindings', () => {
  it("tags a companion secret of the same stack for the rotation function, which is what lets its by-condition grant write it", () => {
    const { stack } = composed((scope) => {
      const admin = new secretsmanager.Secret(scope, 'AdminSecret');
      const app = new secretsmanager.Secret(scope, 'BoundApp');
      const login = new secretsmanager.Secret(scope, 'AppLogin');
      return { rotations: [{ secret: app, schedule: 'rate(12 hours)', adminSecret: admin, strategy: 'alternating', username: 'app', companionSecrets: { username: login } }] };
    });
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      Tags: Match.arrayWith([{ Key: 'pg-rotator:companion-writer', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RotatorFunction'), 'Arn'] } }]),
    });
  });

  it('binds a secret of the same stack by tags, which its resource policy lets only the deployer change', () => {
    // Single-user, no login named: nothing to bind.
    Template.fromStack(composed().stack).resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);

    const bound = composed((scope) => {
      const admin = new secretsmanager.Secret(scope, 'AdminSecret');
      const app = new secretsmanager.Secret(scope, 'BoundApp');
      return { rotations: [{ secret: app, schedule: 'rate(12 hours)', adminSecret: admin, strategy: 'alternating', username: 'app' }] };
    });
    const boundTemplate = Template.fromStack(bound.stack);
    boundTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      Tags: Match.arrayWith([
        { Key: 'pg-rotator:admin-secret', Value: { Ref: Match.stringLikeRegexp('^AdminSecret') } },
        { Key: 'pg-rotator:strategy', Value: 'alternating' },
        { Key: 'pg-rotator:username', Value: 'app' },
      ]),
    });
    boundTemplate.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      SecretId: { Ref: Match.stringLikeRegexp('^BoundApp') },
      ResourcePolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'PgRotatorBindingTagsByDeployerOnly',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['secretsmanager:TagResource', 'secretsmanager:UntagResource'],
            Condition: {
              'ForAnyValue:StringLike': { 'aws:TagKeys': 'pg-rotator:*' },
              ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::Sub': Match.stringLikeRegexp('cfn-exec-role') }] },
            },
          }),
          Match.objectLike({ Sid: 'PgRotatorPolicyByDeployerOnly', Effect: 'Deny', Action: ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy'] }),
        ]),
      },
    });
    boundTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'rotation.handler',
      Environment: { Variables: Match.objectLike({ [ENV.rotationBindingTags]: 'true', [ENV.adminSecretArns]: { Ref: Match.stringLikeRegexp('^AdminSecret') } }) },
    });
  });

  it('refuses an admin strategy without the bound login, naming the prop', () => {
    const build = () =>
      composed((scope) => ({
        rotations: [{ secret: new secretsmanager.Secret(scope, 'NoLogin'), schedule: 'rate(12 hours)', adminSecret: new secretsmanager.Secret(scope, 'Admin') }],
      }));
    expect(build).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'rotations[0].username' }));
  });
});

describe('PgRotator orchestration props', () => {
  const orchestrators = [{ roleArn: 'arn:aws:iam::111122223333:role/orchestrator' }];
  const imported = (stack: Stack, name: string) =>
    secretsmanager.Secret.fromSecretCompleteArn(stack, name, `arn:aws:secretsmanager:us-east-1:111122223333:secret:${name}-AbCdEf`);

  it('refuses orchestration without orchestrators, naming the prop', () => {
    const build = () => composed(() => ({ orchestration: { passwordSecrets: { namePrefix: 'pg-rotator/' } } }));
    expect(build).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'orchestration' }));
  });

  it('hands to Secrets Manager only a secret it rotates, and rotates inline only one it does not schedule', () => {
    expect(() =>
      composed((stack) => ({ orchestrators, orchestration: { secretsManagerRotations: [imported(stack, 'db/other')] } })),
    ).toThrow('orchestration.secretsManagerRotations[0]: must be one of rotations');
    expect(() =>
      composed((stack) => {
        const scheduled = imported(stack, 'db/app');
        return {
          rotations: [{ secret: scheduled, schedule: 'rate(12 hours)' }],
          orchestrators,
          orchestration: { inlineRotations: [{ secret: secretsmanager.Secret.fromSecretPartialArn(stack, 'Again', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db/app') }] },
        };
      }),
    ).toThrow('orchestration.inlineRotations[0].secret: has a rotation schedule here');
  });

  it('refuses a password-secret prefix that covers a secret it knows by name, or is not a prefix', () => {
    expect(() =>
      composed((stack) => ({
        orchestrators,
        orchestration: { adminSecrets: [imported(stack, 'pg-rotator/admin')], passwordSecrets: { namePrefix: 'pg-rotator/' } },
      })),
    ).toThrow('orchestration.passwordSecrets.namePrefix: covers orchestration.adminSecrets[0] (pg-rotator/admin)');
    expect(() => composed(() => ({ orchestrators, orchestration: { passwordSecrets: { namePrefix: 'pg-rotator' } } }))).toThrow(
      expect.objectContaining({ field: 'orchestration.passwordSecrets.namePrefix' }),
    );
  });

  it('passes the permission policy to the function as PERMISSION_POLICY, validated with its own schema', () => {
    const policy = { actions: ['lock-user' as const], roles: { names: ['app_*'] } };
    const { stack } = composed(() => ({ orchestrators, orchestration: { policy } }));
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV.permissionPolicy]: JSON.stringify(policy) } },
    });
    expect(() => composed(() => ({ orchestrators, orchestration: { policy: { ...policy, temporaryUsers: { prefix: 't_', maxValidity: '1y', roles: ['r'] } } } }))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'orchestration.policy.temporaryUsers.maxValidity' }),
    );
    expect(() => composed(() => ({ orchestrators, orchestration: { policy: { ...policy, roles: { names: ['app_*'], regex: '.*' } } as never } }))).toThrow(
      expect.objectContaining({ field: 'orchestration.policy.roles.regex' }),
    );
  });

  it('sets no PERMISSION_POLICY without a policy: the function then refuses role-changing actions', () => {
    Template.fromStack(composed(() => ({ orchestrators, orchestration: {} })).stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV.permissionPolicy]: Match.absent() } },
    });
  });

  it('grants a key given for password secrets only through Secrets Manager', () => {
    const { stack } = composed((scope) => ({
      orchestrators,
      orchestration: { passwordSecrets: { namePrefix: 'pg-rotator/', encryptionKey: new kms.Key(scope, 'PasswordKey', { enableKeyRotation: true }) } },
    }));
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as unknown[],
    );
    expect(statements).toContainEqual({
      Sid: 'PasswordSecretKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PasswordKey/), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
  });
});

describe('buildFunctionEnvironment', () => {
  it('writes every contract variable, defaults included', () => {
    const environment = buildFunctionEnvironment({});
    expect(environment).toMatchObject({
      [ENV.passwordSource]: 'local',
      [ENV.passwordLength]: '32',
      [ENV.excludeNumbers]: 'false',
      [ENV.requireEachIncludedType]: 'true',
      [ENV.sslMode]: 'verify-full',
      [ENV.logLevel]: 'info',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    });
    expect(environment[ENV.defaultStrategy]).toBeUndefined();
    expect(environment[ENV.passwordSecretPrefix]).toBeUndefined();
  });

  it("rejects what the function's own schema would reject, naming the variable", () => {
    expect(() => buildFunctionEnvironment({ password: { length: 2 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: `environment.${ENV.passwordLength}` }),
    );
    expect(() => buildFunctionEnvironment({ connection: { connectTimeout: Duration.minutes(5) } })).toThrow(
      `environment.${ENV.connectTimeoutMs}`,
    );
    expect(() => buildFunctionEnvironment({ passwordSecretPrefix: 'pg-rotator/*' })).toThrow(`environment.${ENV.passwordSecretPrefix}`);
    expect(() => buildFunctionEnvironment({ permissionPolicy: '{"actions":[]}' })).toThrow(`environment.${ENV.permissionPolicy}.actions: must enable at least one action`);
    // A policy no password can satisfy fails at synth, not at the first rotation.
    const nothingLeft = { excludeNumbers: true, excludePunctuation: true, excludeUppercase: true, excludeLowercase: true };
    expect(() => buildFunctionEnvironment({ password: nothingLeft })).toThrow(`environment.${ENV.excludeCharacters}: the exclusions leave no characters to use`);
    expect(() => buildFunctionEnvironment({ password: { length: 4, excludeCharacters: 'abcdefghijklmnopqrstuvwxyz' } })).not.toThrow();
  });

  it("refuses a policy that would take the environment over Lambda's 4 KB, naming PERMISSION_POLICY", () => {
    const policy = (count: number) => JSON.stringify({ actions: ['lock-user'], roles: { names: Array.from({ length: count }, (_, i) => `application_role_with_a_rather_long_name_${i}`) } });
    expect(() => buildFunctionEnvironment({ permissionPolicy: policy(40) })).not.toThrow();
    expect(() => buildFunctionEnvironment({ permissionPolicy: policy(100) })).toThrow(
      expect.objectContaining({ field: `environment.${ENV.permissionPolicy}`, message: expect.stringMatching(/over Lambda's 4096/) }),
    );
  });

  it('bounds the admin allow list by what fits in the environment, naming ADMIN_SECRET_ARNS: 34 admin secrets of 100-character ARNs fit, 40 do not', () => {
    const admins = (count: number) =>
      Array.from({ length: count }, (_, i) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${`databases/db-${String(i).padStart(3, '0')}/`.padEnd(40, 'x')}-AbCdEf`);
    expect(admins(1)[0]).toHaveLength(100);
    expect(() => buildFunctionEnvironment({ rotationBindingTags: true, adminSecretArns: admins(34) })).not.toThrow();
    expect(() => buildFunctionEnvironment({ rotationBindingTags: true, adminSecretArns: admins(40) })).toThrow(
      expect.objectContaining({ field: `environment.${ENV.adminSecretArns}`, message: expect.stringMatching(/^environment\.ADMIN_SECRET_ARNS: declares 40 admin secrets, .* over Lambda's 4096 .*docs\/fleet\.md/) }),
    );
  });
});
