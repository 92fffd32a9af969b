import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  InvalidParameterException,
  ListSecretsCommand,
  RemoveRegionsFromReplicationCommand,
  ReplicateSecretToRegionsCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  StopReplicationToReplicaCommand,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { isKmsKeyReference } from '../../local/secrets-manager/kms-key-id';
import { rejectionOf, secretNames, useLocalSecretsManager } from './support/local-aws';

// What the local endpoint does not model fails loudly, with NotImplementedException, instead of being dropped; and
// KmsKeyId gets the shape check AWS applies, since there is no KMS behind the endpoint to refuse a key that cannot
// exist.

const local = useLocalSecretsManager({ withLambda: true });
const uniqueName = secretNames('unmodelled');
const INVALID_KEY = 'The operation failed because of an invalid KMS key: Invalid keyId';

async function createSecret(): Promise<string> {
  const name = uniqueName();
  await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
  return name;
}

async function expectNotModelled(call: Promise<unknown>, what: string): Promise<void> {
  const error = await rejectionOf(call);
  expect(error.name).toBe('NotImplementedException');
  expect(error.message).toContain(`does not model ${what}`);
  expect(error.$metadata?.httpStatusCode).toBe(400);
}

describe('replica regions', () => {
  it('refuses CreateSecret with AddReplicaRegions, and creates nothing', async () => {
    const name = uniqueName();
    await expectNotModelled(
      local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', AddReplicaRegions: [{ Region: 'eu-west-1' }] })),
      'replica regions',
    );
    expect(await rejectionOf(local.client.send(new DescribeSecretCommand({ SecretId: name })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('accepts an empty AddReplicaRegions and ForceOverwriteReplicaSecret false, which ask for nothing', async () => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', AddReplicaRegions: [], ForceOverwriteReplicaSecret: false }));
    expect((await local.client.send(new DescribeSecretCommand({ SecretId: name }))).Name).toBe(name);
    await expectNotModelled(
      local.client.send(new CreateSecretCommand({ Name: uniqueName(), SecretString: 'v1', ForceOverwriteReplicaSecret: true })),
      'replica regions',
    );
  });

  it('refuses ReplicateSecretToRegions, RemoveRegionsFromReplication and StopReplicationToReplica', async () => {
    const name = await createSecret();
    await expectNotModelled(local.client.send(new ReplicateSecretToRegionsCommand({ SecretId: name, AddReplicaRegions: [{ Region: 'eu-west-1' }] })), 'replica regions');
    await expectNotModelled(local.client.send(new RemoveRegionsFromReplicationCommand({ SecretId: name, RemoveReplicaRegions: ['eu-west-1'] })), 'replica regions');
    await expectNotModelled(local.client.send(new StopReplicationToReplicaCommand({ SecretId: name })), 'replica regions');
  });
});

describe('other features the endpoint does not have', () => {
  it('refuses managed external secrets (Type, ExternalSecretRotation*) and resource policies', async () => {
    const name = await createSecret();
    await expectNotModelled(local.client.send(new CreateSecretCommand({ Name: uniqueName(), SecretString: 'v1', Type: 'SalesforceClientSecret' })), 'managed external secrets');
    await expectNotModelled(local.client.send(new UpdateSecretCommand({ SecretId: name, Type: 'SalesforceClientSecret' })), 'managed external secrets');
    await expectNotModelled(
      local.client.send(new RotateSecretCommand({ SecretId: name, ExternalSecretRotationRoleArn: 'arn:aws:iam::123456789012:role/partner' })),
      'managed external secrets',
    );
    await expectNotModelled(local.client.send(new GetResourcePolicyCommand({ SecretId: name })), 'resource policies');
    expect((await local.client.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled).toBeUndefined();
  });
});

describe('KmsKeyId', () => {
  const ACCOUNT_REGION = 'us-east-1:123456789012';
  const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

  it.each([
    ['a key id', KEY_ID],
    ['a multi-Region key id', 'mrk-1234abcd12ab34cd56ef1234567890ab'],
    ['a key ARN', `arn:aws:kms:${ACCOUNT_REGION}:key/${KEY_ID}`],
    ['an alias name', 'alias/app-secrets'],
    ["Secrets Manager's own alias", 'alias/aws/secretsmanager'],
    ['an alias ARN', `arn:aws:kms:${ACCOUNT_REGION}:alias/app-secrets`],
    ['a GovCloud key ARN', `arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/${KEY_ID}`],
  ])('accepts %s', async (_label, KmsKeyId) => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', KmsKeyId }));
    expect((await local.client.send(new DescribeSecretCommand({ SecretId: name }))).KmsKeyId).toBe(KmsKeyId);
  });

  it.each([
    ['an alias without its alias/ prefix', 'app-secrets'],
    ['a key id that is not a UUID', '1234abcd'],
    ['a key ARN of another service', `arn:aws:s3:${ACCOUNT_REGION}:key/${KEY_ID}`],
    ['a key ARN without the key/ resource', `arn:aws:kms:${ACCOUNT_REGION}:${KEY_ID}`],
    ['an alias with a space', 'alias/app secrets'],
  ])('refuses %s with InvalidParameterException, creating nothing', async (_label, KmsKeyId) => {
    const name = uniqueName();
    const error = await rejectionOf(local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', KmsKeyId })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe(INVALID_KEY);
    const listed = await local.client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
    expect(listed.SecretList).toEqual([]);
  });

  it('refuses a malformed KmsKeyId on UpdateSecret and keeps the key it had', async () => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', KmsKeyId: 'alias/app-secrets' }));
    const error = await rejectionOf(local.client.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: 'app-secrets', SecretString: 'v2' })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(await local.client.send(new DescribeSecretCommand({ SecretId: name }))).toMatchObject({ KmsKeyId: 'alias/app-secrets' });
  });

  it('recognises the four forms KMS names, and nothing else (pure)', () => {
    expect([KEY_ID, `arn:aws:kms:${ACCOUNT_REGION}:key/${KEY_ID}`, 'alias/x', `arn:aws:kms:${ACCOUNT_REGION}:alias/x`].map(isKmsKeyReference)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['', 'alias/', 'key/' + KEY_ID, `arn:aws:kms:${ACCOUNT_REGION}:key/alias/x`].map(isKmsKeyReference)).toEqual([false, false, false, false]);
  });
});
