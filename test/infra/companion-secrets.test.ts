/**
 * Companion secrets in the deployment (docs/applications.md, "RDS Proxy"): declared per rotated secret in the config,
 * and granted to the function as describe-and-write only, with their keys' encrypt.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { declareRotations } from '../../infra/constructs/rotation-declarations';
import { configIssues, configWith, templateOf } from './fixtures';
import { policyNamed } from './iam-statements';

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
const COMPANION_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/9999abcd-12ab-34cd-56ef-1234567890ab';
const REPORTING_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** The example's alternating secret (prod/orders/reporting) with a companion per login. */
const withCompanions = configWith((config) => {
  const reporting = config.secrets[1];
  if (reporting) {
    reporting.companionSecrets = {
      username: { arn: ARN('prod/orders/reporting-login-AbCdEf') },
      alternateUsername: { partialArn: ARN('prod/orders/reporting-clone-login'), kmsKeyArn: COMPANION_KEY },
    };
  }
});

describe('companion secrets in the deployment', () => {
  const statements = policyNamed(templateOf({ ...withCompanions, secretGrants: 'per-arn' }), 'PgRotatorPoliciesSecretAccess');

  it('lets the function describe and write, by condition, the companions tagged for it, and read none', () => {
    const byCondition = policyNamed(templateOf(withCompanions), 'PgRotatorPoliciesSecretAccess');
    expect(byCondition).toContainEqual({
      Sid: 'WriteCompanionsOfThisFunction',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:123456789012:secret:*']] },
      Condition: { StringEquals: { 'aws:ResourceTag/pg-rotator:companion-writer': { 'Fn::GetAtt': [expect.stringMatching(/^PgRotatorFunction/), 'Arn'] } } },
    });
    // Without companions declared here or attachments, no companion grant at all.
    expect(policyNamed(templateOf(configWith()), 'PgRotatorPoliciesSecretAccess').map((s) => s.Sid)).not.toContain('WriteCompanionsOfThisFunction');
  });

  it('lets the function describe and write each companion, and read none', () => {
    expect(statements).toContainEqual({
      Sid: 'WriteCompanionSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'],
      Resource: [ARN('prod/orders/reporting-login-AbCdEf'), ARN('prod/orders/reporting-clone-login-??????')],
    });
    const reads = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(reads.flatMap((s) => [s.Resource].flat()).filter((r) => String(r).includes('login'))).toEqual([]);
  });

  it("encrypts with a companion's key through Secrets Manager only", () => {
    expect(statements).toContainEqual(
      expect.objectContaining({ Sid: 'RotatedSecretKeys', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: [REPORTING_KEY, COMPANION_KEY] }),
    );
  });

  it('grants nothing for companions when none are declared', () => {
    expect(policyNamed(templateOf(configWith((c) => (c.secretGrants = 'per-arn'))), 'PgRotatorPoliciesSecretAccess').map((s) => s.Sid)).not.toContain('WriteCompanionSecrets');
  });

  it('refuses a companion that is a rotated secret, an empty declaration, and a companion in another account', () => {
    const fields = (edit: Parameters<typeof configIssues>[0]) => configIssues(edit).map((issue) => issue.field);
    expect(fields((c) => c.secrets[1] && (c.secrets[1].companionSecrets = { username: { arn: ARN('prod/orders/app-AbC123') } }))).toEqual([
      'config.secrets[1].companionSecrets.username.arn',
    ]);
    expect(fields((c) => c.secrets[1] && (c.secrets[1].companionSecrets = {}))).toEqual(['config.secrets[1].companionSecrets']);
    expect(
      fields((c) => c.secrets[1] && (c.secrets[1].companionSecrets = { username: { arn: 'arn:aws:secretsmanager:eu-west-1:999999999999:secret:x-AbCdEf' } })),
    ).toEqual(['config.secrets[1].companionSecrets.username.arn']);
  });
});

describe('companion secrets in the rotation binding', () => {
  it("are written into the bindings file beside the secret's logins, so the function takes them from the deployment", () => {
    const stack = new Stack(new App(), 'Companions', { env: { account: '123456789012', region: 'eu-west-1' } });
    const imported = (name: string) => secretsmanager.Secret.fromSecretCompleteArn(stack, name, ARN(`${name}-AbCdEf`));
    const declared = declareRotations(
      stack,
      [
        {
          field: 'rotations[0]',
          rotation: {
            secret: imported('app'),
            adminSecret: imported('admin'),
            strategy: 'alternating',
            username: 'app',
            companionSecrets: { username: imported('app-login'), alternateUsername: imported('app-clone-login') },
          },
        },
      ],
      undefined,
    );
    expect(declared.bindings).toEqual([
      expect.objectContaining({
        secretArn: ARN('app-AbCdEf'),
        username: 'app',
        usernameCompanionSecretArn: ARN('app-login-AbCdEf'),
        alternateUsernameCompanionSecretArn: ARN('app-clone-login-AbCdEf'),
      }),
    ]);
  });

  it("are written as the secret's pg-rotator tags when the secret is bound by tags", () => {
    const stack = new Stack(new App(), 'TaggedCompanions', { env: { account: '123456789012', region: 'eu-west-1' } });
    const login = new secretsmanager.Secret(stack, 'Login');
    declareRotations(stack, [{ field: 'rotations[0]', rotation: { secret: new secretsmanager.Secret(stack, 'App'), username: 'app', companionSecrets: { username: login } } }], undefined);
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      Tags: Match.arrayWith([{ Key: 'pg-rotator:username-companion-secret', Value: { Ref: Match.stringLikeRegexp('^Login') } }]),
    });
  });

  it('refuses a companion without the login it is declared for, naming the prop', () => {
    const stack = new Stack(new App(), 'NoLogin', { env: { account: '123456789012', region: 'eu-west-1' } });
    const imported = (name: string) => secretsmanager.Secret.fromSecretCompleteArn(stack, name, ARN(`${name}-AbCdEf`));
    expect(() =>
      declareRotations(stack, [{ field: 'rotations[3]', rotation: { secret: imported('app'), strategy: 'single-user', companionSecrets: { username: imported('login') } } }], undefined),
    ).toThrow(expect.objectContaining({ field: 'rotations[3].username' }));
  });

  it('refuses the admin secret as a companion, deploy-time or not: finishSecret would write a login over the admin', () => {
    const stack = new Stack(new App(), 'AdminAsCompanion', { env: { account: '123456789012', region: 'eu-west-1' } });
    const imported = (name: string) => secretsmanager.Secret.fromSecretCompleteArn(stack, name, ARN(`${name}-AbCdEf`));
    const admin = new secretsmanager.Secret(stack, 'Admin');
    const rotation = (adminSecret: secretsmanager.ISecret) => ({
      secret: imported(`app-${adminSecret.node.id}`),
      adminSecret,
      strategy: 'alternating' as const,
      username: 'app',
      companionSecrets: { username: imported(`login-${adminSecret.node.id}`), alternateUsername: adminSecret },
    });
    for (const adminSecret of [admin, imported('imported-admin')]) {
      expect(() => declareRotations(stack, [{ field: 'rotations[1]', rotation: rotation(adminSecret) }], undefined)).toThrow(
        expect.objectContaining({ field: 'rotations[1].companionSecrets.alternateUsername', message: expect.stringContaining("names the binding's admin secret") }),
      );
    }
  });
});
