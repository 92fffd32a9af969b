import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { PgRotatorConfigInput } from '../../infra/config/schema';
import { PgRotator } from '../../infra/constructs/pg-rotator';
import { buildStack, configWith, nagFindings, synthFindings } from './fixtures';

const variants: Record<string, (config: PgRotatorConfigInput) => void> = {
  'the example config': () => {},
  'passwords from Secrets Manager': (c) => (c.password = { source: 'secrets-manager' }),
  'a partial-ARN secret': (c) => {
    const first = c.secrets[0];
    if (first) {
      delete first.arn;
      first.partialArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/app';
    }
  },
  'an existing endpoint with its ingress rule': (c) =>
    (c.network.secretsManagerAccess = { mode: 'existing-endpoint', securityGroupId: 'sg-0fedcba9876543210', addIngressRule: true }),
  'NAT egress': (c) => (c.network.secretsManagerAccess = { mode: 'nat' }),
  'an existing alert topic': (c) => (c.alerts = { topicArn: 'arn:aws:sns:eu-west-1:123456789012:db-alerts' }),
  'an orchestrator account and reserved concurrency': (c) => {
    c.orchestrators = [{ accountId: '210987654321' }];
    c.function = { reservedConcurrency: 5 };
  },
  'no orchestration': (c) => delete c.orchestration,
  'only password secrets, without a key': (c) => (c.orchestration = { passwordSecrets: { namePrefix: 'teams/db-access/' } }),
  'per-arn grants': (c) => (c.secretGrants = 'per-arn'),
  'secrets attached from other stacks': (c) => (c.attachments = { adminSecrets: [{ arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/billing/admin-JkL012' }] }),
};

describe('cdk-nag AwsSolutions', () => {
  it.each(Object.entries(variants))('has no unacknowledged finding with %s', (_name, edit) => {
    expect(nagFindings(configWith(edit))).toEqual([]);
  });

  it('reports a finding the stack does not acknowledge (the check is live)', () => {
    const findings = nagFindings(configWith(), ({ stack }) => {
      stack.rotator.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    });
    expect(findings).toEqual(['AwsSolutions-IAM5[Resource::*] @ PgRotator/PgRotator/Rotator/Role/DefaultPolicy/Resource']);
  });

  it('acknowledges exactly the documented exceptions, each with its reason', () => {
    const { stack } = buildStack(configWith((c) => (c.password = { source: 'secrets-manager' })));
    const acknowledged = stack.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
          .map(([id, reason]) => ({ path: construct.node.path, id, reason })),
      );
    expect(acknowledged.map(({ path, id }) => `${id} @ ${path}`).sort()).toEqual(
      [
        'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId @ PgRotator/subnet-0a1b2c3d4e5f60711',
        'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId @ PgRotator/subnet-0a1b2c3d4e5f60722',
        'Annotation::AwsSolutions-IAM5[Resource::*] @ PgRotator/PgRotator/Rotator/Role/Resource',
        'Annotation::AwsSolutions-IAM5[Resource::*] @ PgRotator/PgRotator/Orchestrator/Role/Resource',
        'Annotation::AwsSolutions-IAM5[Resource::*] @ PgRotator/PgRotator/Policies/RandomPassword',
        'Annotation::AwsSolutions-IAM5[Resource::*] @ PgRotator/PgRotator/OrchestratorPasswords/RandomPassword',
        'Annotation::AwsSolutions-IAM5[Action::kms:GenerateDataKey*] @ PgRotator/PgRotator/Alerts/RotationFailedRule',
        'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:eu-west-1:123456789012:secret:pg-rotator/*] @ PgRotator/PgRotator/Orchestration/PasswordSecrets',
        'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:eu-west-1:123456789012:secret:*] @ PgRotator/PgRotator/Policies/SecretAccess',
        'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:eu-west-1:123456789012:key/*] @ PgRotator/PgRotator/Policies/SecretAccess',
        'Annotation::AwsSolutions-IAM5[Resource::*] @ PgRotator/PgRotator/Operations/Status/Function/Role/Resource',
        'Annotation::AwsSolutions-IAM5[Resource::*] @ PgRotator/PgRotator/Operations/Status/ListSecrets',
        'Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:eu-west-1:123456789012:secret:*] @ PgRotator/PgRotator/Operations/Status/PendingVersions',
      ].sort(),
    );
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(40);
  });

  it("acknowledges only the by-condition grants' two account-wide resources, so another wildcard on that policy is still reported", () => {
    const findings = nagFindings(configWith(), ({ stack }) => {
      stack.rotator.node
        .findAll()
        .filter((construct) => construct.node.path.endsWith('/Policies/SecretAccess'))
        .forEach((policy) =>
          (policy as iam.Policy).addStatements(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/*'] })),
        );
    });
    expect(findings).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/*] @ PgRotator/PgRotator/Policies/SecretAccess/Resource']);
  });

  it('acknowledges only the password-secret prefix, so another wildcard on that policy is still reported', () => {
    const findings = nagFindings(configWith(), ({ stack }) => {
      stack.rotator.orchestratorPolicies?.passwordSecrets?.addStatements(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:*'] }),
      );
    });
    expect(findings).toEqual([
      'AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:eu-west-1:123456789012:secret:*] @ PgRotator/PgRotator/Orchestration/PasswordSecrets/Resource',
    ]);
  });

  it("acknowledges only the status function's secret:* for ListSecretVersionIds, so another wildcard on that policy is still reported", () => {
    const findings = nagFindings(configWith(), ({ stack }) => {
      stack.rotator.operations.status.pendingVersions.addStatements(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    });
    expect(findings).toEqual(['AwsSolutions-IAM5[Resource::*] @ PgRotator/PgRotator/Operations/Status/PendingVersions/Resource']);
  });

  it('names the prefix as cdk-nag does in an environment-agnostic stack too', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'pg-rotator-agnostic-'));
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Agnostic');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new PgRotator(stack, 'Rotator', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      databases: [{ securityGroup: new ec2.SecurityGroup(stack, 'Database', { vpc }) }],
      secretsManagerAccess: { mode: 'create-endpoint' },
      rotations: [{ secret: new secretsmanager.Secret(stack, 'AppSecret'), schedule: 'rate(12 hours)' }],
      orchestrators: [{ roleArn: 'arn:aws:iam::111122223333:role/orchestrator' }],
      orchestration: { passwordSecrets: { namePrefix: 'pg-rotator/' } },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const ours = synthFindings(app, outdir).filter((finding) => finding.includes('/Rotator/Orchestration/') || finding.includes('/Rotator/Operations/'));
    expect(ours).toEqual([]);
  });
});
