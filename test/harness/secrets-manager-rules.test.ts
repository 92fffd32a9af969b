import {
  CreateSecretCommand,
  DescribeSecretCommand,
  InvalidParameterException,
  PutSecretValueCommand,
  RotateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import type { RotationRulesType } from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import { nextCronTime, parseCron } from '../../local/secrets-manager/cron';
import { rejectionOf, secretNames, useLocalSecretsManager } from './support/local-aws';

// RotationRules of RotateSecret (RotationRulesType in the API reference) and the NextRotationDate they produce. The
// rotation function does nothing and succeeds: RotateImmediately=false runs its testSecret, which these tests do not
// care about.

const HOUR_MS = 3_600_000;

// Thursday 2030-01-03 10:30 UTC.
let now = new Date('2030-01-03T10:30:00Z');
const local = useLocalSecretsManager({ withLambda: true, clock: () => now });
const uniqueName = secretNames('rules');
let FUNCTION_ARN: string;
beforeAll(() => {
  FUNCTION_ARN = local.lambda.register('rotator', { kind: 'in-process', handler: () => Promise.resolve() });
});

async function createSecret(): Promise<string> {
  const name = uniqueName();
  await local.client.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
  return name;
}

async function rotateWith(rules: RotationRulesType): Promise<string> {
  const name = await createSecret();
  await local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: FUNCTION_ARN, RotationRules: rules, RotateImmediately: false }));
  await local.sm.rotations.settled(name);
  return name;
}

describe('RotationRules validation', () => {
  it.each([
    ['AutomaticallyAfterDays 0', { AutomaticallyAfterDays: 0 }],
    ['AutomaticallyAfterDays 1001', { AutomaticallyAfterDays: 1001 }],
    ['AutomaticallyAfterDays with ScheduleExpression', { AutomaticallyAfterDays: 5, ScheduleExpression: 'rate(5 days)' }],
    ['a rate under four hours', { ScheduleExpression: 'rate(3 hours)' }],
    ['a plural unit for 1', { ScheduleExpression: 'rate(1 days)' }],
    ['a rate over 1000 days', { ScheduleExpression: 'rate(1001 days)' }],
    ['an unknown expression', { ScheduleExpression: 'every(3 days)' }],
    ['cron minutes other than 0', { ScheduleExpression: 'cron(30 4 * * ? *)' }],
    ['cron with both day fields', { ScheduleExpression: 'cron(0 4 1 * MON *)' }],
    ['cron with a year', { ScheduleExpression: 'cron(0 4 ? * MON 2031)' }],
    ['cron hours closer than four hours', { ScheduleExpression: 'cron(0 1,3 * * ? *)' }],
    ['a Duration that is not <N>h', { ScheduleExpression: 'rate(10 days)', Duration: 'h3' }],
    ['a Duration over 24h', { ScheduleExpression: 'rate(10 days)', Duration: '25h' }],
    ['a window longer than the rate', { ScheduleExpression: 'rate(4 hours)', Duration: '5h' }],
    ['a window running into the next UTC day', { ScheduleExpression: 'cron(0 22 * * ? *)', Duration: '3h' }],
  ])('refuses %s with InvalidParameterException', async (_label, rules) => {
    const name = await createSecret();
    const error = await rejectionOf(local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: FUNCTION_ARN, RotationRules: rules })));
    expect(error).toBeInstanceOf(InvalidParameterException);
    // Nothing was configured by the refused call.
    expect(await local.client.send(new DescribeSecretCommand({ SecretId: name }))).not.toHaveProperty('RotationEnabled');
  });

  it('refuses a Duration outside the model pattern with ValidationException, as the API front end does', async () => {
    const name = await createSecret();
    for (const Duration of ['3', '3x']) {
      const error = await rejectionOf(
        local.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: FUNCTION_ARN, RotationRules: { Duration } })),
      );
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain("'rotationRules.duration'");
    }
  });

  it.each([
    [{ AutomaticallyAfterDays: 1000 }],
    [{ ScheduleExpression: 'rate(1 day)' }],
    [{ ScheduleExpression: 'rate(4 hours)', Duration: '4h' }],
    [{ ScheduleExpression: 'cron(0 0 L * ? *)' }],
    [{ ScheduleExpression: 'cron(0 8 ? JAN-JUN MON#1 *)', Duration: '2h' }],
  ])('accepts %o', async (rules) => {
    const name = await rotateWith(rules);
    expect((await local.client.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled).toBe(true);
  });
});

describe('NextRotationDate', () => {
  it('is the last rotation plus AutomaticallyAfterDays', async () => {
    const name = await rotateWith({ AutomaticallyAfterDays: 3 });
    const described = await local.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.NextRotationDate?.getTime()).toBe(now.getTime() + 3 * 24 * HOUR_MS);
    expect(described.RotationRules).toEqual({ AutomaticallyAfterDays: 3 });
  });

  it('follows a rate in hours', async () => {
    const name = await rotateWith({ ScheduleExpression: 'rate(6 hours)' });
    expect((await local.client.send(new DescribeSecretCommand({ SecretId: name }))).NextRotationDate?.getTime()).toBe(now.getTime() + 6 * HOUR_MS);
  });

  it('is the next cron window start, in UTC', async () => {
    const name = await rotateWith({ ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' });
    const described = await local.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.NextRotationDate?.toISOString()).toBe('2030-01-06T04:00:00.000Z');
    expect(described.RotationRules).toEqual({ ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' });
  });

  it('counts a manual PutSecretValue of AWSCURRENT as a rotation', async () => {
    const name = await rotateWith({ AutomaticallyAfterDays: 10 });
    now = new Date(now.getTime() + 2 * 24 * HOUR_MS);
    await local.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'manual' }));
    const described = await local.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.NextRotationDate?.getTime()).toBe(now.getTime() + 10 * 24 * HOUR_MS);
  });

  it('runs the RotateImmediately=false test once, which the function passed', async () => {
    const name = await rotateWith({ AutomaticallyAfterDays: 1 });
    expect(await local.sm.rotations.settled(name)).toMatchObject([{ mode: 'test-only', stepsRun: ['testSecret'], succeeded: true }]);
  });
});

describe('cron (pure)', () => {
  it('finds the last day of the month with L', () => {
    const schedule = parseCron('cron(0 0 L * ? *)', '0 0 L * ? *');
    expect(nextCronTime(schedule, new Date('2030-02-10T00:00:00Z'))?.toISOString()).toBe('2030-02-28T00:00:00.000Z');
  });

  it('finds the first Monday of a month with MON#1', () => {
    const schedule = parseCron('cron(0 8 ? * MON#1 *)', '0 8 ? * MON#1 *');
    expect(nextCronTime(schedule, new Date('2030-01-08T00:00:00Z'))?.toISOString()).toBe('2030-02-04T08:00:00.000Z');
  });

  it('answers strictly after the given time', () => {
    const schedule = parseCron('cron(0 4 * * ? *)', '0 4 * * ? *');
    expect(nextCronTime(schedule, new Date('2030-01-01T04:00:00Z'))?.toISOString()).toBe('2030-01-02T04:00:00.000Z');
  });
});
