import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidNextTokenException,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { createTestCertificates } from '../../local/postgres/certificates';
import { LocalSecretsManagerConfigError } from '../../local/secrets-manager/errors';
import { startLocalSecretsManager } from '../../local/secrets-manager/server';
import { LOCAL_AWS } from '../../local/stack';
import { rejectionOf, secretNames, useLocalSecretsManager } from './support/local-aws';

// Secrets as a whole: naming and ARNs, DescribeSecret, deletion and recovery, tags, ListSecrets.

const DAY_MS = 86_400_000;
const MARKED = "You can't perform this operation on the secret because it was marked for deletion.";

let now = new Date('2030-01-01T00:00:00Z');
// A settable clock, so recovery windows can run out without waiting days.
const local = useLocalSecretsManager({ region: 'eu-west-1', accountId: '111122223333', clock: () => now });
const uniqueName = secretNames('secrets');

describe('startLocalSecretsManager', () => {
  it('refuses malformed options, naming the option', async () => {
    const error = await startLocalSecretsManager({ accountId: 'not-an-account' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalSecretsManagerConfigError);
    expect(error).toMatchObject({ field: 'options.accountId' });
  });

  it('serves HTTPS with the certificate it is given: a client trusting its CA is answered, any other refused', async () => {
    const pki = await createTestCertificates();
    const sm = await startLocalSecretsManager({ tls: pki.localServer });
    try {
      expect(sm.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const client = (ca: string) => new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region, credentials: LOCAL_AWS.credentials, maxAttempts: 1, requestHandler: { httpsAgent: { ca } } });
      const created = await client(pki.caPem).send(new CreateSecretCommand({ Name: uniqueName(), SecretString: 'x' }));
      expect(created.ARN).toContain(`:${sm.accountId}:secret:`);
      const refused = await client(pki.otherCaPem).send(new ListSecretsCommand({})).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      expect(sm.calls('ListSecrets')).toBe(0);
    } finally {
      await sm.close();
    }
  });
});

describe('CreateSecret and SecretId resolution', () => {
  it('builds the ARN from region, account, name and a 6-character alphanumeric suffix', async () => {
    const name = uniqueName();
    const created = await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-[A-Za-z0-9]{6}$`));
    expect(created.Name).toBe(name);
    expect(created.VersionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('finds a secret by full ARN, by name and by partial ARN (without the suffix)', async () => {
    const name = uniqueName();
    const { ARN } = await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    const partial = `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}`;
    for (const id of [ARN ?? '', name, partial]) {
      expect((await local.client.send(new DescribeSecretCommand({ SecretId: id }))).ARN).toBe(ARN);
    }
  });

  it('answers ResourceNotFoundException with HTTP 400 (not moto 404) for an unknown secret', async () => {
    const error = await rejectionOf(local.client.send(new DescribeSecretCommand({ SecretId: 'no/such/secret' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe("Secrets Manager can't find the specified secret.");
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses an existing name with ResourceExistsException, but answers a same-token retry as success', async () => {
    const name = uniqueName();
    const token = randomUUID();
    const first = await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x', ClientRequestToken: token }));
    const retry = await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x', ClientRequestToken: token }));
    expect(retry).toMatchObject({ ARN: first.ARN, VersionId: token });
    const error = await rejectionOf(local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'y' })));
    expect(error).toBeInstanceOf(ResourceExistsException);
  });

  it('refuses a name with characters AWS does not allow', async () => {
    const error = await rejectionOf(local.client.send(new CreateSecretCommand({ Name: 'bad name!', SecretString: 'x' })));
    expect(error).toBeInstanceOf(InvalidParameterException);
  });
});

describe('DescribeSecret', () => {
  it('returns name, description, KMS key, tags, labels and dates, and no rotation fields before rotation is configured', async () => {
    const name = uniqueName();
    const created = await local.client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: 'x',
        Description: 'app database',
        KmsKeyId: 'alias/app',
        Tags: [{ Key: 'team', Value: 'db' }],
      }),
    );
    const described = await local.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described).toMatchObject({
      ARN: created.ARN,
      Name: name,
      Description: 'app database',
      KmsKeyId: 'alias/app',
      Tags: [{ Key: 'team', Value: 'db' }],
      VersionIdsToStages: { [created.VersionId ?? '']: ['AWSCURRENT'] },
    });
    expect(described.CreatedDate).toEqual(now);
    expect(described.LastChangedDate).toEqual(now);
    for (const field of ['RotationEnabled', 'RotationLambdaARN', 'RotationRules', 'LastRotatedDate', 'NextRotationDate', 'DeletedDate']) {
      expect(described).not.toHaveProperty(field);
    }
  });

  it('records LastAccessedDate rounded down to the day after GetSecretValue', async () => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    now = new Date(now.getTime() + 5 * 3_600_000 + 123);
    await local.client.send(new GetSecretValueCommand({ SecretId: name }));
    const described = await local.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.LastAccessedDate?.toISOString()).toBe(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);
  });
});

describe('DeleteSecret and RestoreSecret', () => {
  it('schedules deletion after 30 days by default and then refuses most operations', async () => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    const deleted = await local.client.send(new DeleteSecretCommand({ SecretId: name }));
    expect(deleted.DeletionDate?.getTime()).toBe(now.getTime() + 30 * DAY_MS);
    expect((await local.client.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).toEqual(deleted.DeletionDate);

    for (const call of [
      local.client.send(new GetSecretValueCommand({ SecretId: name })),
      local.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'y' })),
      local.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'x', MoveToVersionId: randomUUID() })),
      local.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k', Value: 'v' }] })),
      local.client.send(new DeleteSecretCommand({ SecretId: name })),
    ]) {
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(InvalidRequestException);
      expect(error.message).toBe(MARKED);
    }
  });

  it('accepts a recovery window of 7 to 30 days only, and not together with ForceDeleteWithoutRecovery', async () => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    for (const days of [6, 31]) {
      const error = await rejectionOf(local.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: days })));
      expect(error).toBeInstanceOf(InvalidParameterException);
    }
    const both = await rejectionOf(
      local.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
    );
    expect(both).toBeInstanceOf(InvalidParameterException);
    const deleted = await local.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    expect(deleted.DeletionDate?.getTime()).toBe(now.getTime() + 7 * DAY_MS);
  });

  it('restores a secret scheduled for deletion', async () => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'kept' }));
    await local.client.send(new DeleteSecretCommand({ SecretId: name }));
    await local.client.send(new RestoreSecretCommand({ SecretId: name }));
    expect((await local.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('kept');
    expect(await local.client.send(new DescribeSecretCommand({ SecretId: name }))).not.toHaveProperty('DeletedDate');
  });

  it('forgets the secret when the recovery window ends', async () => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await local.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    const refused = await rejectionOf(local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'y' })));
    expect(refused).toBeInstanceOf(InvalidRequestException);
    now = new Date(now.getTime() + 7 * DAY_MS);
    expect(await rejectionOf(local.client.send(new DescribeSecretCommand({ SecretId: name })))).toBeInstanceOf(ResourceNotFoundException);
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'y' }));
  });

  it('deletes at once with ForceDeleteWithoutRecovery, even a secret already scheduled for deletion', async () => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await local.client.send(new DeleteSecretCommand({ SecretId: name }));
    const forced = await local.client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    expect(forced.DeletionDate).toEqual(now);
    expect(await rejectionOf(local.client.send(new DescribeSecretCommand({ SecretId: name })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('succeeds with ForceDeleteWithoutRecovery on a secret that does not exist, so a retried forced delete succeeds', async () => {
    const name = uniqueName();
    const arn = `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-AbCdEf`;

    // "If you forcibly delete an already deleted or nonexistent secret, the operation does not return
    // ResourceNotFoundException" (DeleteSecret API reference).
    expect(await local.client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }))).toMatchObject({ Name: name, DeletionDate: now });
    expect(await local.client.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }))).toMatchObject({ ARN: arn, DeletionDate: now });

    // Without it, a missing secret is still ResourceNotFoundException, and nothing was created on the way.
    expect(await rejectionOf(local.client.send(new DeleteSecretCommand({ SecretId: name })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejectionOf(local.client.send(new DescribeSecretCommand({ SecretId: name })))).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('tags and UpdateSecret', () => {
  it('adds, replaces and removes tags', async () => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x', Tags: [{ Key: 'a', Value: '1' }] }));
    await local.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }] }));
    expect((await local.client.send(new DescribeSecretCommand({ SecretId: name }))).Tags).toEqual([
      { Key: 'a', Value: '2' },
      { Key: 'b', Value: '3' },
    ]);
    await local.client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['a'] }));
    expect((await local.client.send(new DescribeSecretCommand({ SecretId: name }))).Tags).toEqual([{ Key: 'b', Value: '3' }]);
  });

  it('UpdateSecret with a value makes a new AWSCURRENT version', async () => {
    const name = uniqueName();
    const created = await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    const updated = await local.client.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'y', Description: 'd' }));
    const described = await local.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.Description).toBe('d');
    expect(described.VersionIdsToStages).toEqual({
      [created.VersionId ?? '']: ['AWSPREVIOUS'],
      [updated.VersionId ?? '']: ['AWSCURRENT'],
    });
  });
});

describe('ListSecrets', () => {
  it('filters by name prefix and by tag key, and negates with !', async () => {
    const prefix = `list-${randomUUID().slice(0, 8)}`;
    const a = uniqueName(prefix);
    const b = uniqueName(prefix);
    await local.client.send(new CreateSecretCommand({ Name: a, SecretString: 'x', Tags: [{ Key: 'owner', Value: 'alice' }] }));
    await local.client.send(new CreateSecretCommand({ Name: b, SecretString: 'x' }));

    const byName = await local.client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }] }));
    expect(byName.SecretList?.map((s) => s.Name)).toEqual([a, b]);
    const byTag = await local.client.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }, { Key: 'tag-key', Values: ['owner'] }] }),
    );
    expect(byTag.SecretList?.map((s) => s.Name)).toEqual([a]);
    const notTagged = await local.client.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }, { Key: 'tag-key', Values: ['!owner'] }] }),
    );
    expect(notTagged.SecretList?.map((s) => s.Name)).toEqual([b]);
    expect(byTag.SecretList?.[0]?.SecretVersionsToStages).toBeDefined();
  });

  it('pages with MaxResults and NextToken, and rejects a token it did not issue', async () => {
    const prefix = `page-${randomUUID().slice(0, 8)}`;
    const names = [uniqueName(prefix), uniqueName(prefix), uniqueName(prefix)];
    for (const name of names) await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    const filters = [{ Key: 'name' as const, Values: [prefix] }];
    const first = await local.client.send(new ListSecretsCommand({ Filters: filters, MaxResults: 2 }));
    const second = await local.client.send(new ListSecretsCommand({ Filters: filters, MaxResults: 2, NextToken: first.NextToken }));
    expect([...(first.SecretList ?? []), ...(second.SecretList ?? [])].map((s) => s.Name)).toEqual(names);
    expect(second.NextToken).toBeUndefined();
    const error = await rejectionOf(local.client.send(new ListSecretsCommand({ NextToken: 'not-a-token' })));
    expect(error).toBeInstanceOf(InvalidNextTokenException);
  });

  it('hides secrets scheduled for deletion unless IncludePlannedDeletion', async () => {
    const prefix = `planned-${randomUUID().slice(0, 8)}`;
    const name = uniqueName(prefix);
    await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await local.client.send(new DeleteSecretCommand({ SecretId: name }));
    const filters = [{ Key: 'name' as const, Values: [prefix] }];
    expect((await local.client.send(new ListSecretsCommand({ Filters: filters }))).SecretList).toEqual([]);
    const planned = await local.client.send(new ListSecretsCommand({ Filters: filters, IncludePlannedDeletion: true }));
    expect(planned.SecretList?.map((s) => s.Name)).toEqual([name]);
  });
});
