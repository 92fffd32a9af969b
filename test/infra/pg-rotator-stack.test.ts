import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambda/config/environment';
import { configWith, templateOf } from './fixtures';
import { ROTATION_ACTIONS } from '../../infra/constructs/rotator-policies';
import { ENI_ACTIONS, asArray, iamStatements, policyNamed, resourceText, wildcardActions } from './iam-statements';

const ACCOUNT = '123456789012';
const SECRET_APP = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/app-AbC123';
const SECRET_REPORTING = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/reporting-DeF456';
const SECRET_ADMIN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/admin-GhI789';
const REPORTING_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DB_SG = 'sg-0a1b2c3d4e5f60733';
/** The example's orchestration.passwordSecrets grant, on `secret:pg-rotator/*` (pinned in orchestrator-policies.test.ts). */
const PASSWORD_SECRET_WILDCARD_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:DeleteSecret',
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:RestoreSecret',
  'secretsmanager:UpdateSecretVersionStage',
];
const ENDPOINT_SG = 'sg-0fedcba9876543210';
/** The status function's listing grants: ListSecrets on "*", ListSecretVersionIds on `secret:*` under a condition (operations.test.ts). */
const STATUS_WILDCARD_ACTIONS = ['secretsmanager:ListSecrets', 'secretsmanager:ListSecretVersionIds'];

function egressRules(template: Template): unknown[] {
  const standalone = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties);
  const inline = Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap(
    (group) => (group.Properties.SecurityGroupEgress ?? []) as unknown[],
  );
  return [...standalone, ...inline];
}

const functionSg = { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorNetworkSecurityGroup'), 'GroupId'] };

describe('PgRotatorStack from the example config', () => {
  const template = templateOf(configWith());

  it('deploys three functions on the newest Node.js runtime on arm64, one entry point each, from one code asset', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    // Reserved concurrency by default, which also caps each: at most 15 database sessions from each function.
    const common = { Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 1024, Timeout: 30, ReservedConcurrentExecutions: 5 };
    template.hasResourceProperties('AWS::Lambda::Function', { ...common, Handler: 'rotation.handler', FunctionName: 'pg-rotator' });
    template.hasResourceProperties('AWS::Lambda::Function', { ...common, Handler: 'orchestrator.handler', FunctionName: 'pg-rotator-orchestrator' });
    // The status check: one at a time, two minutes to list 10,000 secrets.
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...common,
      MemorySize: 256,
      Timeout: 120,
      ReservedConcurrentExecutions: 1,
      Handler: 'status.handler',
      FunctionName: 'pg-rotator-status',
    });
    const code = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => JSON.stringify(fn.Properties.Code));
    expect(new Set(code).size).toBe(1);
  });

  it('gives each function its own role: rotation grants for the rotation function, orchestration grants for the orchestrator', () => {
    const roleOf = (handler: string) =>
      (Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Handler === handler)?.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const rotationRole = roleOf('rotation.handler');
    const orchestratorRole = roleOf('orchestrator.handler');
    expect(rotationRole).not.toBe(orchestratorRole);
    const sidsOf = (role: string) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
        .flatMap((policy) => (policy.Properties.PolicyDocument.Statement as { Sid?: string }[]).map((statement) => statement.Sid ?? '(log group)'));
    expect(sidsOf(rotationRole).sort()).toEqual(['(log group)', 'ReadAdminSecrets', 'RotateSecretsOfThisFunction', 'SecretKeysThroughSecretsManager']);
    expect(sidsOf(orchestratorRole)).not.toContain('RotateSecretsOfThisFunction');
    expect(sidsOf(orchestratorRole)).toEqual(expect.arrayContaining(['ReadRequestSecrets', 'ManagePasswordSecrets', 'StartSecretsManagerRotation']));
  });

  it("declares each function's admin secrets, and lets no tag bind a secret", () => {
    const envOf = (handler: string) =>
      Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => fn.Properties.Handler === handler)?.Properties.Environment.Variables as Record<string, unknown>;
    expect(envOf('rotation.handler')).toMatchObject({ [ENV.adminSecretArns]: SECRET_ADMIN, [ENV.rotationBindingTags]: 'false' });
    // orchestration.adminSecrets and the inline rotation's admin secret: the same secret here.
    expect(envOf('orchestrator.handler')).toMatchObject({ [ENV.adminSecretArns]: SECRET_ADMIN, [ENV.rotationBindingTags]: 'false' });
  });

  it('trusts the RDS CAs and passes the password policy through the shared environment contract', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          [ENV.passwordSource]: 'local',
          [ENV.passwordLength]: '32',
          [ENV.excludeCharacters]: ':/@"\'\\',
          [ENV.requireEachIncludedType]: 'true',
          [ENV.sslMode]: 'verify-full',
          // The floors no secret lowers: TLS verified, SCRAM only, channel binding where offered.
          [ENV.minimumSslMode]: 'verify-full',
          [ENV.requireAuth]: 'scram-sha-256',
          [ENV.channelBinding]: 'prefer',
          [ENV.connectTimeoutMs]: '5000',
          [ENV.statementTimeoutMs]: '10000',
          [ENV.secretsManagerEndpoint]: Match.absent(),
        },
      },
    });
  });

  it("passes the config's permission policy to the orchestrator function as JSON, as the function reads it, and not to the rotation function", () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const variablesOf = (handler: string) =>
      functions.find((fn) => fn.Properties.Handler === handler)?.Properties.Environment.Variables as Record<string, string>;
    expect(JSON.parse(variablesOf('orchestrator.handler')[ENV.permissionPolicy] as string)).toMatchObject({
      actions: expect.arrayContaining(['lock-user']),
      roles: { memberOf: 'rotator_managed' },
    });
    expect(variablesOf('rotation.handler')[ENV.permissionPolicy]).toBeUndefined();
  });

  it('runs in the configured subnets behind its own security group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SubnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722'],
        SecurityGroupIds: [functionSg],
      },
    });
  });

  it('logs to its own log group, kept a year and retained on delete', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^PgRotatorLogGroup') } },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  it('uses a role with no managed policies', () => {
    // Each function's, EventBridge's for the alert target, and the scheduler's for the example policy's expiry and for
    // the status check.
    template.resourceCountIs('AWS::IAM::Role', 6);
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      Policies: [{ PolicyName: 'NetworkInterfaces', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ENI_ACTIONS, Resource: '*' }] } }],
    });
  });

  it('grants "*" only for the network-interface actions AWS requires it for, the status listing, a prefix only for password secrets, and account-wide ARNs only under a condition', () => {
    const conditioned = [...ROTATION_ACTIONS, 'kms:Decrypt', 'kms:GenerateDataKey'];
    expect(wildcardActions(template)).toEqual([...ENI_ACTIONS, ...ENI_ACTIONS, ...ENI_ACTIONS, ...STATUS_WILDCARD_ACTIONS, ...PASSWORD_SECRET_WILDCARD_ACTIONS, ...conditioned].sort());
    expect(wildcardActions(templateOf(configWith((c) => delete c.orchestration)))).toEqual([...ENI_ACTIONS, ...ENI_ACTIONS, ...ENI_ACTIONS, ...STATUS_WILDCARD_ACTIONS, ...conditioned].sort());
    const accountWide = iamStatements(template).filter((s) => asArray(s.Resource).some((r) => /(:secret:|:key\/)\*$/.test(resourceText(r))));
    expect(accountWide.map((s) => s.Sid).sort()).toEqual(['ListVersionsOfRotatedSecrets', 'RotateSecretsOfThisFunction', 'SecretKeysThroughSecretsManager']);
    for (const statement of accountWide) expect(statement.Condition).toBeDefined();
  });

  it('scopes rotation to the secrets whose rotation function is this one, keys to Secrets Manager and this account, and admin reads to the admin secret', () => {
    const rotationFunction = { 'Fn::GetAtt': [expect.stringMatching(/^PgRotatorFunction/), 'Arn'] };
    const partition = { Ref: 'AWS::Partition' };
    expect(policyNamed(template, 'PgRotatorPoliciesSecretAccess')).toEqual([
      {
        Sid: 'RotateSecretsOfThisFunction',
        Effect: 'Allow',
        Action: ROTATION_ACTIONS,
        Resource: { 'Fn::Join': ['', ['arn:', partition, `:secretsmanager:eu-west-1:${ACCOUNT}:secret:*`]] },
        Condition: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': rotationFunction } },
      },
      {
        Sid: 'SecretKeysThroughSecretsManager',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::Join': ['', ['arn:', partition, `:kms:eu-west-1:${ACCOUNT}:key/*`]] },
        Condition: {
          StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:SecretARN': { 'Fn::Join': ['', ['arn:', partition, `:secretsmanager:eu-west-1:${ACCOUNT}:secret:*`]] } },
        },
      },
    ]);
    expect(policyNamed(template, 'PgRotatorPoliciesAdminSecrets')).toEqual([
      { Sid: 'ReadAdminSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ADMIN },
    ]);
  });

  it('lists every rotated secret and key by ARN with per-arn grants', () => {
    const listed = templateOf(configWith((c) => (c.secretGrants = 'per-arn')));
    expect(policyNamed(listed, 'PgRotatorPoliciesSecretAccess')).toEqual([
      { Sid: 'RotateSecrets', Effect: 'Allow', Action: ROTATION_ACTIONS, Resource: [SECRET_APP, SECRET_REPORTING] },
      {
        Sid: 'RotatedSecretKeys',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: REPORTING_KEY,
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
    ]);
    expect(policyNamed(listed, 'PgRotatorPoliciesAdminSecrets')).toEqual([
      { Sid: 'ReadAdminSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ADMIN },
    ]);
    expect(wildcardActions(listed)).toEqual([...ENI_ACTIONS, ...ENI_ACTIONS, ...ENI_ACTIONS, ...STATUS_WILDCARD_ACTIONS, ...PASSWORD_SECRET_WILDCARD_ACTIONS].sort());
  });

  it('writes logs only to its own log group', () => {
    expect(policyNamed(template, 'PgRotatorRoleDefaultPolicy')).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PgRotatorLogGroup/), 'Arn'] },
      },
    ]);
    expect(policyNamed(template, 'PgRotatorOrchestratorRoleDefaultPolicy')).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PgRotatorOrchestratorLogGroup/), 'Arn'] },
      },
    ]);
  });

  it('does not grant GetRandomPassword when passwords are generated locally', () => {
    expect(iamStatements(template).flatMap((s) => asArray(s.Action))).not.toContain('secretsmanager:GetRandomPassword');
  });

  it("lets Secrets Manager invoke the rotation function only for this account's secrets in this region, and nothing else", () => {
    const rotationFunction = { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorFunction'), 'Arn'] };
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: rotationFunction,
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: ACCOUNT,
      SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-west-1:${ACCOUNT}:secret:*`]] },
    });
    const onRotation = Object.values(template.findResources('AWS::Lambda::Permission')).filter((p) => JSON.stringify(p.Properties.FunctionName).includes('PgRotatorFunction'));
    expect(onRotation.map((p) => p.Properties.Principal)).toEqual(['secretsmanager.amazonaws.com']);
  });

  it('lets exactly the configured orchestrator invoke the orchestrator function, and nobody else', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((permission) => permission.Properties);
    const onOrchestrator = permissions.filter((p) => JSON.stringify(p.FunctionName).includes('PgRotatorOrchestratorFunction'));
    expect(onOrchestrator.map((p) => p.Principal)).toEqual(['arn:aws:iam::123456789012:role/credential-orchestrator']);
    // Secrets Manager's on the rotation function, the orchestrator's, and the status invoker's (operations.test.ts).
    expect(permissions).toHaveLength(3);
  });

  it('opens egress only to the database port and the endpoint', () => {
    expect(egressRules(template)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ GroupId: expect.anything(), DestinationSecurityGroupId: DB_SG, FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' }),
      ]),
    );
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupEgress', {}, 2);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: functionSg,
      DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorNetworkEndpointSecurityGroup'), 'GroupId'] },
      FromPort: 443,
      ToPort: 443,
      IpProtocol: 'tcp',
    });
    // The endpoint's group answers; it sends nothing (CDK's placeholder rule that matches no traffic).
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Secrets Manager endpoint'),
      SecurityGroupEgress: [{ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', FromPort: 252, ToPort: 86, IpProtocol: 'icmp' }],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^pg-rotator function'),
      SecurityGroupEgress: Match.absent(),
    });
    expect(JSON.stringify(egressRules(template))).not.toContain('0.0.0.0/0');
  });

  it('adds the database ingress rule it was asked for, from the function only', () => {
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', {}, 2);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: DB_SG,
      SourceSecurityGroupId: functionSg,
      FromPort: 5432,
      ToPort: 5432,
      IpProtocol: 'tcp',
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorNetworkEndpointSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: functionSg,
      FromPort: 443,
      ToPort: 443,
    });
  });

  it('creates a private-DNS Secrets Manager endpoint in the function subnets', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.eu-west-1.secretsmanager',
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      SubnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722'],
    });
  });

  it('schedules each secret with its cron, window and immediate-rotation choice, after the permission exists', () => {
    const schedules = template.findResources('AWS::SecretsManager::RotationSchedule');
    const byId = Object.fromEntries(Object.values(schedules).map((s) => [s.Properties.SecretId, s]));
    expect(Object.keys(byId).sort()).toEqual([SECRET_APP, SECRET_REPORTING]);
    expect(byId[SECRET_APP]?.Properties).toEqual({
      SecretId: SECRET_APP,
      RotationLambdaARN: { 'Fn::GetAtt': [expect.stringMatching(/^PgRotatorFunction/), 'Arn'] },
      RotationRules: { ScheduleExpression: 'cron(0 2 ? * SUN *)', Duration: '2h' },
      RotateImmediatelyOnUpdate: true,
    });
    expect(byId[SECRET_REPORTING]?.Properties.RotationRules).toEqual({ ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '2h' });
    expect(byId[SECRET_REPORTING]?.Properties.RotateImmediatelyOnUpdate).toBe(false);
    for (const schedule of Object.values(schedules)) {
      expect(schedule.DependsOn).toEqual([
        expect.stringMatching(/^PgRotatorInvokePermissionsSecretsManager/),
        expect.stringMatching(/^PgRotatorPoliciesAdminSecrets/),
        expect.stringMatching(/^PgRotatorPoliciesSecretAccess/),
      ]);
    }
  });

  it('alarms on any error of either function', () => {
    for (const fn of ['^PgRotatorFunction', '^PgRotatorOrchestratorFunction']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp(fn) } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^PgRotatorAlertTopic') }],
      });
    }
  });

  it("forwards Secrets Manager's RotationFailed events for its secrets to the topic", () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed'],
          additionalEventData: { SecretId: [SECRET_APP, SECRET_REPORTING] },
        },
      },
      Targets: [
        {
          Arn: { Ref: Match.stringLikeRegexp('^PgRotatorAlertTopic') },
          Id: 'Target0',
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorAlertsRotationFailedRuleEventsRole'), 'Arn'] },
        },
      ],
    });
  });

  it('creates a KMS-encrypted, TLS-only alert topic with a rotating key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorAlertTopicKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': ACCOUNT } }),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'db-oncall@example.com' });
  });

  it('needs no transform and exports every function ARN', () => {
    expect(template.toJSON().Transform).toBeUndefined();
    template.hasOutput('RotationFunctionArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorFunction'), 'Arn'] } });
    template.hasOutput('OrchestratorFunctionArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorOrchestratorFunction'), 'Arn'] } });
    template.hasOutput('StatusFunctionArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorOperationsStatusFunction'), 'Arn'] } });
  });
});

describe('PgRotatorStack variants', () => {
  it("forwards every secret's RotationFailed in the account and region when secrets are attached from other stacks, or too many to list", () => {
    const unfiltered = {
      source: ['aws.secretsmanager'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: ['RotationFailed'] },
    };
    const attached = templateOf(configWith((c) => (c.attachments = { adminSecrets: [] })));
    attached.hasResourceProperties('AWS::Events::Rule', { EventPattern: unfiltered });
    const many = templateOf(
      configWith((c) => {
        const [first] = c.secrets;
        if (first) c.secrets = Array.from({ length: 30 }, (_, i) => ({ ...first, arn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:teams/app-${i}-AbCdEf` }));
        delete c.orchestration;
      }),
    );
    many.hasResourceProperties('AWS::Events::Rule', { EventPattern: unfiltered });
  });

  it('lets tags bind attached secrets and declares their admin secrets, listed in IAM as the allow list is', () => {
    const billingAdmin = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/billing/admin-JkL012';
    const template = templateOf(configWith((c) => (c.attachments = { adminSecrets: [{ arn: billingAdmin }] })));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'rotation.handler',
      Environment: { Variables: Match.objectLike({ [ENV.rotationBindingTags]: 'true', [ENV.adminSecretArns]: `${SECRET_ADMIN},${billingAdmin}` }) },
    });
    expect(policyNamed(template, 'PgRotatorPoliciesAdminSecrets')).toEqual([
      { Sid: 'ReadAdminSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [SECRET_ADMIN, billingAdmin] },
    ]);
    // Attached secrets may declare companions: they are writable when tagged for this function.
    expect(policyNamed(template, 'PgRotatorPoliciesSecretAccess').map((s) => s.Sid)).toContain('WriteCompanionsOfThisFunction');
  });

  it('grants GetRandomPassword on "*" only when passwords come from Secrets Manager', () => {
    const template = templateOf(configWith((c) => (c.password = { source: 'secrets-manager' })));
    for (const policy of ['PgRotatorPoliciesRandomPassword', 'PgRotatorOrchestratorPasswordsRandomPassword']) {
      expect(policyNamed(template, policy)).toEqual([{ Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' }]);
    }
    // The rotation function's and the orchestrator's, not the status function's: it sets no password.
    expect(wildcardActions(template)).toEqual(
      [
        ...ENI_ACTIONS,
        ...ENI_ACTIONS,
        ...ENI_ACTIONS,
        ...STATUS_WILDCARD_ACTIONS,
        ...PASSWORD_SECRET_WILDCARD_ACTIONS,
        ...ROTATION_ACTIONS,
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'secretsmanager:GetRandomPassword',
        'secretsmanager:GetRandomPassword',
      ].sort(),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV.passwordSource]: 'secrets-manager' } },
    });
  });

  it('grants partial-ARN secrets with the six-character suffix wildcard and matches their events by prefix', () => {
    const partial = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/app';
    const template = templateOf(
      configWith((c) => {
        c.secretGrants = 'per-arn';
        const first = c.secrets[0];
        if (first) {
          delete first.arn;
          first.partialArn = partial;
        }
      }),
    );
    const [rotate] = policyNamed(template, 'PgRotatorPoliciesSecretAccess');
    expect(rotate?.Resource).toEqual([`${partial}-??????`, SECRET_REPORTING]);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { additionalEventData: { SecretId: [{ prefix: `${partial}-` }, SECRET_REPORTING] } } },
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: partial });
  });

  it('deploys no orchestrator function when no orchestrator is configured', () => {
    const template = templateOf(
      configWith((c) => {
        c.orchestrators = [];
        delete c.orchestration;
        c.statusInvokers = [];
      }),
    );
    const handlers = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Handler as string);
    expect(handlers.sort()).toEqual(['rotation.handler', 'status.handler']);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'secretsmanager.amazonaws.com' });
  });

  it('lets a whole orchestrator account invoke the function when configured', () => {
    const template = templateOf(configWith((c) => (c.orchestrators = [{ accountId: '210987654321' }])));
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: '210987654321', Action: 'lambda:InvokeFunction' });
  });

  it('sets reserved concurrency, memory, timeout and retention from the config', () => {
    const template = templateOf(
      configWith((c) => (c.function = { reservedConcurrency: 8, orchestratorReservedConcurrency: 3, memoryMb: 512, timeoutSeconds: 60, logRetentionDays: 90 })),
    );
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'rotation.handler', ReservedConcurrentExecutions: 8, MemorySize: 512, Timeout: 60 });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'orchestrator.handler', ReservedConcurrentExecutions: 3, MemorySize: 512, Timeout: 60 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('reuses an existing endpoint: egress to its group, ingress only when asked', () => {
    const config = (addIngressRule: boolean) =>
      configWith((c) => {
        c.network.secretsManagerAccess = { mode: 'existing-endpoint', securityGroupId: ENDPOINT_SG, addIngressRule };
        c.network.databases = [{ securityGroupId: DB_SG, port: 5433, addIngressRule: false }];
      });
    const template = templateOf(config(false));
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    expect(egressRules(template)).toEqual([
      expect.objectContaining({ DestinationSecurityGroupId: DB_SG, FromPort: 5433, ToPort: 5433 }),
      expect.objectContaining({ DestinationSecurityGroupId: ENDPOINT_SG, FromPort: 443, ToPort: 443 }),
    ]);
    const withIngress = templateOf(config(true));
    withIngress.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    withIngress.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: ENDPOINT_SG,
      SourceSecurityGroupId: functionSg,
      FromPort: 443,
      ToPort: 443,
    });
  });

  it('goes through NAT with HTTPS egress to anywhere and nothing else wide', () => {
    const template = templateOf(configWith((c) => (c.network.secretsManagerAccess = { mode: 'nat' })));
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(egressRules(template)).toEqual([
      expect.objectContaining({ DestinationSecurityGroupId: DB_SG, FromPort: 5432 }),
      { CidrIp: '0.0.0.0/0', Description: 'HTTPS to Secrets Manager through NAT', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' },
    ]);
  });

  it('sends alerts to an existing topic without creating one', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:db-alerts';
    const template = templateOf(configWith((c) => (c.alerts = { topicArn })));
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicArn] });
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: topicArn })] });
  });
});
