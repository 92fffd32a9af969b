import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { rejectionOf, secretNames, useLocalSecretsManager } from './support/local-aws';

// Versions, values and staging labels through the real SDK: PutSecretValue, GetSecretValue,
// UpdateSecretVersionStage, ListSecretVersionIds, as the Secrets Manager API reference documents them.

const local = useLocalSecretsManager();
const uniqueName = secretNames('versions');

async function stagesOf(secretId: string): Promise<Record<string, string[]>> {
  const described = await local.client.send(new DescribeSecretCommand({ SecretId: secretId }));
  return described.VersionIdsToStages ?? {};
}

async function createWithValue(value = 'v1'): Promise<{ name: string; arn: string; v1: string }> {
  const name = uniqueName();
  const created = await local.client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return { name, arn: created.ARN ?? '', v1: created.VersionId ?? '' };
}

async function put(secretId: string, value: string, stages?: string[], token: string = randomUUID()): Promise<string> {
  const answer = await local.client.send(
    new PutSecretValueCommand({ SecretId: secretId, SecretString: value, ClientRequestToken: token, VersionStages: stages }),
  );
  return answer.VersionId ?? '';
}

describe('PutSecretValue and staging labels', () => {
  it('gives the first version AWSCURRENT', async () => {
    const { name, v1 } = await createWithValue();
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'] });
  });

  it('gives the first version AWSCURRENT even when PutSecretValue asks only for another label', async () => {
    const name = uniqueName();
    const created = await local.client.send(new CreateSecretCommand({ Name: name }));
    expect(created.VersionId).toBeUndefined();
    const v1 = await put(name, 'first', ['custom']);
    expect(await stagesOf(name)).toEqual({ [v1]: ['custom', 'AWSCURRENT'] });
  });

  it('moves AWSCURRENT to the new version when VersionStages is omitted, and AWSPREVIOUS to the old current', async () => {
    const { name, v1 } = await createWithValue();
    const v2 = await put(name, 'v2');
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
    const v3 = await put(name, 'v3');
    // v1 lost its last label: deprecated, so DescribeSecret leaves it out.
    expect(await stagesOf(name)).toEqual({ [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT'] });
  });

  it('leaves AWSCURRENT alone when the new version is staged as AWSPENDING', async () => {
    const { name, v1 } = await createWithValue();
    const pending = await put(name, 'next', ['AWSPENDING']);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
  });

  it('takes a custom label off the version that had it', async () => {
    const { name, v1 } = await createWithValue();
    const a = await put(name, 'a', ['blue']);
    const b = await put(name, 'b', ['blue']);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [b]: ['blue'] });
    expect(a).not.toBe(b);
  });

  it('keeps the other labels of the version that loses AWSCURRENT (unlike moto)', async () => {
    const { name, v1 } = await createWithValue();
    await local.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'blue', MoveToVersionId: v1 }));
    const v2 = await put(name, 'v2');
    expect(await stagesOf(name)).toEqual({ [v1]: ['blue', 'AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
  });

  it('gives the same labels whatever the order of VersionStages, keeping an AWSPREVIOUS asked for before AWSCURRENT', async () => {
    const results = [];
    for (const order of [['AWSCURRENT', 'AWSPREVIOUS'], ['AWSPREVIOUS', 'AWSCURRENT']]) {
      const { name } = await createWithValue();
      const v2 = randomUUID();
      const answer = await local.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: v2, VersionStages: order }));
      results.push({ answered: answer.VersionStages, stages: await stagesOf(name), v2 });
    }
    for (const { answered, stages, v2 } of results) {
      expect(answered).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
      // v1 lost AWSCURRENT and, with AWSPREVIOUS asked for on v2, its last label: deprecated.
      expect(stages).toEqual({ [v2]: ['AWSCURRENT', 'AWSPREVIOUS'] });
    }
  });

  it('treats the same token with the same value as a no-op that returns the existing version', async () => {
    const { name, v1 } = await createWithValue();
    const token = randomUUID();
    const first = await local.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token }));
    const again = await local.client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: token, VersionStages: ['other'] }),
    );
    expect(again.VersionId).toBe(first.VersionId);
    expect(again.VersionStages).toEqual(['AWSCURRENT']);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
  });

  it('refuses the same token with another value with ResourceExistsException', async () => {
    const { name } = await createWithValue();
    const token = randomUUID();
    await put(name, 'v2', undefined, token);
    const error = await rejectionOf(put(name, 'different', undefined, token));
    expect(error).toBeInstanceOf(ResourceExistsException);
    expect(error.name).toBe('ResourceExistsException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses a ClientRequestToken shorter than 32 or longer than 64 characters', async () => {
    const { name } = await createWithValue();
    for (const token of ['x'.repeat(31), 'x'.repeat(65)]) {
      const error = await rejectionOf(put(name, 'v', undefined, token));
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(error.message).toBe('ClientRequestToken must be 32-64 characters long.');
    }
  });

  it('refuses a value given both as SecretString and SecretBinary', async () => {
    const { name } = await createWithValue();
    const error = await rejectionOf(
      local.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'a', SecretBinary: Buffer.from('b') })),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
  });

  it('accepts a RotationToken and keeps it out of the answer', async () => {
    const { name } = await createWithValue();
    const answer = await local.client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', RotationToken: 'opaque-rotation-token-value' }),
    );
    expect(JSON.stringify(answer)).not.toContain('opaque-rotation-token-value');
  });
});

describe('GetSecretValue', () => {
  it('returns AWSCURRENT by default, with its version id, labels and creation date', async () => {
    const { name, arn, v1 } = await createWithValue('hello');
    const value = await local.client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(value).toMatchObject({ ARN: arn, Name: name, VersionId: v1, SecretString: 'hello', VersionStages: ['AWSCURRENT'] });
    expect(value.CreatedDate).toBeInstanceOf(Date);
  });

  it('returns a version by VersionId, by VersionStage, or by both when they agree', async () => {
    const { name, v1 } = await createWithValue('one');
    const v2 = await put(name, 'two');
    expect((await local.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }))).SecretString).toBe('one');
    expect((await local.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('one');
    expect(
      (await local.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v2, VersionStage: 'AWSCURRENT' }))).SecretString,
    ).toBe('two');
  });

  it('refuses a VersionId and VersionStage that do not match with InvalidRequestException', async () => {
    const { name, v1 } = await createWithValue();
    await put(name, 'two');
    const error = await rejectionOf(local.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1, VersionStage: 'AWSCURRENT' })));
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toBe('You provided a VersionStage that is not associated to the provided VersionId.');
  });

  it('answers ResourceNotFoundException naming the staging label when no version has it', async () => {
    const { name } = await createWithValue();
    const error = await rejectionOf(local.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSPENDING");
  });

  it('answers ResourceNotFoundException naming the VersionId when it does not exist', async () => {
    const { name } = await createWithValue();
    const missing = randomUUID();
    const error = await rejectionOf(local.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: missing })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe(`Secrets Manager can't find the specified secret value for VersionId: ${missing}`);
  });

  it('answers ResourceNotFoundException for AWSCURRENT of a secret created without a value', async () => {
    const name = uniqueName();
    await local.client.send(new CreateSecretCommand({ Name: name }));
    const error = await rejectionOf(local.client.send(new GetSecretValueCommand({ SecretId: name })));
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
  });

  it('round-trips SecretBinary as bytes', async () => {
    const name = uniqueName();
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await local.client.send(new CreateSecretCommand({ Name: name, SecretBinary: bytes }));
    const value = await local.client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(Buffer.from(value.SecretBinary ?? new Uint8Array())).toEqual(bytes);
    expect(value.SecretString).toBeUndefined();
  });
});

describe('UpdateSecretVersionStage', () => {
  it('moving AWSCURRENT moves AWSPREVIOUS to the old current', async () => {
    const { name, v1 } = await createWithValue();
    const pending = await put(name, 'next', ['AWSPENDING']);
    await local.client.send(
      new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: pending, RemoveFromVersionId: v1 }),
    );
    // AWSPENDING may stay on the new current version: the RotateSecret docs allow it.
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [pending]: ['AWSPENDING', 'AWSCURRENT'] });
  });

  it('takes AWSPREVIOUS off the version that becomes current (rolling back)', async () => {
    const { name, v1 } = await createWithValue();
    const v2 = await put(name, 'v2');
    await local.client.send(
      new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v2 }),
    );
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'] });
  });

  it('refuses to move AWSCURRENT without RemoveFromVersionId naming its version', async () => {
    const { name, v1 } = await createWithValue();
    const pending = await put(name, 'next', ['AWSPENDING']);
    const error = await rejectionOf(
      local.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: pending })),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toContain(`currently attached to version ${v1}`);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
  });

  it('refuses to move any label that sits on another version without RemoveFromVersionId (moto allows it)', async () => {
    const { name, v1 } = await createWithValue();
    const a = await put(name, 'a', ['blue']);
    const error = await rejectionOf(
      local.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'blue', MoveToVersionId: v1 })),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'], [a]: ['blue'] });
  });

  it('refuses a RemoveFromVersionId that does not carry the label', async () => {
    const { name, v1 } = await createWithValue();
    const v2 = await put(name, 'v2');
    const v3 = await put(name, 'v3', ['AWSPENDING']);
    const error = await rejectionOf(
      local.client.send(
        new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v3, RemoveFromVersionId: v1 }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toContain(`not attached to version ${v1}`);
    expect((await stagesOf(name))[v2]).toEqual(['AWSCURRENT']);
  });

  it('never removes AWSCURRENT without moving it', async () => {
    const { name, v1 } = await createWithValue();
    const error = await rejectionOf(
      local.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', RemoveFromVersionId: v1 })),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'] });
  });

  it('removes a label when only RemoveFromVersionId is given, leaving the version deprecated', async () => {
    const { name, v1 } = await createWithValue();
    const pending = await put(name, 'next', ['AWSPENDING']);
    await local.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', RemoveFromVersionId: pending }));
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT'] });
  });

  it('moves a label with RemoveFromVersionId naming its holder', async () => {
    const { name, v1 } = await createWithValue();
    const a = await put(name, 'a', ['blue']);
    await local.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'blue', MoveToVersionId: v1, RemoveFromVersionId: a }));
    expect(await stagesOf(name)).toEqual({ [v1]: ['AWSCURRENT', 'blue'] });
  });

  it('refuses a MoveToVersionId that is not a version of the secret', async () => {
    const { name } = await createWithValue();
    const error = await rejectionOf(
      local.client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'blue', MoveToVersionId: randomUUID() })),
    );
    expect(error).toBeInstanceOf(InvalidParameterException);
  });
});

describe('ListSecretVersionIds', () => {
  it('hides versions without labels unless IncludeDeprecated', async () => {
    const { name, v1 } = await createWithValue();
    const v2 = await put(name, 'v2');
    const v3 = await put(name, 'v3');
    const shown = await local.client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    expect(shown.Versions?.map((v) => v.VersionId).sort()).toEqual([v2, v3].sort());
    const all = await local.client.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    expect(all.Versions?.map((v) => v.VersionId).sort()).toEqual([v1, v2, v3].sort());
    expect(all.Versions?.find((v) => v.VersionId === v1)?.VersionStages).toEqual([]);
  });

  it('returns the secret ARN (not the name, as moto does) and pages with MaxResults and NextToken', async () => {
    const { name, arn } = await createWithValue();
    for (let i = 0; i < 4; i++) await put(name, `p${i}`, [`label-${i}`]);
    const first = await local.client.send(new ListSecretVersionIdsCommand({ SecretId: name, MaxResults: 3 }));
    expect(first.ARN).toBe(arn);
    expect(first.Versions).toHaveLength(3);
    expect(first.NextToken).toBeTypeOf('string');
    const second = await local.client.send(new ListSecretVersionIdsCommand({ SecretId: name, MaxResults: 3, NextToken: first.NextToken }));
    expect(second.Versions).toHaveLength(2);
    expect(second.NextToken).toBeUndefined();
  });

  it('still finds a deprecated version by VersionId', async () => {
    const { name, v1 } = await createWithValue('old');
    await put(name, 'v2');
    await put(name, 'v3');
    expect((await local.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }))).SecretString).toBe('old');
  });
});
