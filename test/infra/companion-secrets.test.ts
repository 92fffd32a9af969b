/**
 * Companion secrets in the deployment (docs/applications.md, "RDS Proxy"): declared per rotated secret in the config,
 * and granted to the function as describe-and-write only, with their keys' encrypt.
 */
import { describe, expect, it } from 'vitest';
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
  const statements = policyNamed(templateOf(withCompanions), 'PgRotatorPoliciesSecretAccess');

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
    expect(policyNamed(templateOf(configWith()), 'PgRotatorPoliciesSecretAccess').map((s) => s.Sid)).not.toContain('WriteCompanionSecrets');
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
