import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambda/config/environment';
import { configWith, templateOf } from './fixtures';
import { asArray, iamStatements, policyNamed } from './iam-statements';

const SECRET_REPORTING = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/reporting-DeF456';
const SECRET_ADMIN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/admin-GhI789';
const SECRET_OBSERVER = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/observer-JkL012';
const SECRET_BATCH = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/batch';
const PASSWORD_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/5678efgh-56ef-78ab-90cd-5678efgh90ab';
const ADMIN_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/9abc0123-9abc-0123-4567-9abc01234567';
const BATCH_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0fed0fed-0fed-0fed-0fed-0fed0fed0fed';
const viaSecretsManager = { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } };
const functionArn = { 'Fn::GetAtt': [expect.stringMatching(/^PgRotatorFunction/), 'Arn'] };
const underPrefix = (prefix: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-west-1:123456789012:secret:${prefix}*`]],
});

/**
 * Every action the deployment's roles hold, across all their policies, but the status check's: its function lists
 * secrets and its schedule invokes it (operations.test.ts pins both).
 */
const grantedActions = (template: Template) =>
  iamStatements(template, (logicalId) => !logicalId.startsWith('PgRotatorOperations')).flatMap((statement) => asArray(statement.Action));

describe('orchestration grants from the example config', () => {
  const template = templateOf(configWith());

  it('reads admin and connection secrets, rotates inline targets, and starts Secrets Manager rotation only for its own function', () => {
    expect(policyNamed(template, 'PgRotatorOrchestrationRequestAccess')).toEqual([
      {
        Sid: 'ReadRequestSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: SECRET_ADMIN,
      },
      {
        Sid: 'RotateInline',
        Effect: 'Allow',
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Resource: `${SECRET_BATCH}-??????`,
      },
      {
        Sid: 'StartSecretsManagerRotation',
        Effect: 'Allow',
        Action: 'secretsmanager:RotateSecret',
        Resource: SECRET_REPORTING,
        Condition: { ArnEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': functionArn } },
      },
      { Sid: 'InvokeRotationFunction', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: functionArn },
    ]);
  });

  it('manages password secrets only under the name prefix, creating them only with a name under it', () => {
    expect(policyNamed(template, 'PgRotatorOrchestrationPasswordSecrets')).toEqual([
      {
        Sid: 'ManagePasswordSecrets',
        Effect: 'Allow',
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
          'secretsmanager:DeleteSecret',
          'secretsmanager:RestoreSecret',
        ],
        Resource: underPrefix('pg-rotator/'),
      },
      {
        Sid: 'CreatePasswordSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:CreateSecret',
        Resource: underPrefix('pg-rotator/'),
        Condition: { StringLike: { 'secretsmanager:Name': 'pg-rotator/*' } },
      },
      {
        Sid: 'PasswordSecretKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: PASSWORD_KEY,
        Condition: viaSecretsManager,
      },
    ]);
  });

  it('tells the function the prefix through the shared environment contract', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV.passwordSecretPrefix]: 'pg-rotator/' } },
    });
  });

  it('never grants tagging, replication, policy or rotation-configuration changes', () => {
    const actions = grantedActions(template);
    for (const action of [
      'secretsmanager:TagResource',
      'secretsmanager:UpdateSecret',
      'secretsmanager:ReplicateSecretToRegions',
      'secretsmanager:PutResourcePolicy',
      'secretsmanager:CancelRotateSecret',
      'secretsmanager:ListSecrets',
      'iam:PassRole',
    ]) {
      expect(actions).not.toContain(action);
    }
  });
});

describe('orchestration grants', () => {
  it('exist in no form when orchestration is not configured', () => {
    const template = templateOf(configWith((c) => delete c.orchestration));
    const policies = Object.keys(template.findResources('AWS::IAM::Policy'));
    expect(policies.filter((logicalId) => logicalId.startsWith('PgRotatorOrchestration'))).toEqual([]);
    const actions = grantedActions(template);
    for (const action of [
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:RestoreSecret',
      'secretsmanager:RotateSecret',
      'lambda:InvokeFunction',
    ]) {
      expect(actions).not.toContain(action);
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV.passwordSecretPrefix]: Match.absent() } },
    });
  });

  it('create only the configured parts: password secrets without a key need no other policy and no KMS grant', () => {
    const template = templateOf(configWith((c) => (c.orchestration = { passwordSecrets: { namePrefix: 'teams/db-access/' } })));
    expect(Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => id.startsWith('PgRotatorOrchestrationRequestAccess'))).toEqual([]);
    const statements = policyNamed(template, 'PgRotatorOrchestrationPasswordSecrets');
    expect(statements.map((statement) => statement.Sid)).toEqual(['ManagePasswordSecrets', 'CreatePasswordSecrets']);
    expect(statements[1]?.Condition).toEqual({ StringLike: { 'secretsmanager:Name': 'teams/db-access/*' } });
    expect(statements[0]?.Resource).toEqual(underPrefix('teams/db-access/'));
  });

  it('lets keys be used only through Secrets Manager: Decrypt for read secrets, GenerateDataKey too for inline targets', () => {
    const template = templateOf(
      configWith((c) => {
        c.orchestration = {
          adminSecrets: [{ arn: SECRET_OBSERVER, kmsKeyArn: ADMIN_KEY }],
          rotate: { inline: [{ partialArn: SECRET_BATCH, kmsKeyArn: BATCH_KEY }] },
        };
      }),
    );
    const statements = policyNamed(template, 'PgRotatorOrchestrationRequestAccess');
    expect(statements.filter((statement) => statement.Sid?.endsWith('Keys'))).toEqual([
      { Sid: 'InlineRotationKeys', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: BATCH_KEY, Condition: viaSecretsManager },
      { Sid: 'RequestSecretKeys', Effect: 'Allow', Action: 'kms:Decrypt', Resource: ADMIN_KEY, Condition: viaSecretsManager },
    ]);
    expect(statements.map((statement) => statement.Sid)).not.toContain('StartSecretsManagerRotation');
    expect(grantedActions(template)).not.toContain('lambda:InvokeFunction');
  });

  it('reads an RDS-managed master secret by its exact ARN', () => {
    const master = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-3af6352b-e7f0-4fdc-9c52-4910b0dd815c-lMb7qs';
    const template = templateOf(configWith((c) => (c.orchestration = { adminSecrets: [{ arn: master }] })));
    expect(policyNamed(template, 'PgRotatorOrchestrationRequestAccess')).toEqual([
      { Sid: 'ReadRequestSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: master },
    ]);
  });

  it('hands a secret to Secrets Manager as the very secret its secrets[] entry schedules, however it is written', () => {
    const template = templateOf(
      configWith((c) => {
        c.orchestration = { rotate: { secretsManager: [{ partialArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/reporting' }] } };
      }),
    );
    const [start] = policyNamed(template, 'PgRotatorOrchestrationRequestAccess');
    expect(start).toMatchObject({ Sid: 'StartSecretsManagerRotation', Resource: SECRET_REPORTING });
  });
});
