import { describe, expect, it } from 'vitest';
import { InvalidInputError, RotationStateError } from '../../lambda/errors';
import { currentVersionId, gate } from '../../lambda/rotation/gate';
import { cloneUsername, pendingLogin, pendingSecretValue, resolveStrategy } from '../../lambda/rotation/strategy';
import type { DatabaseSecret } from '../../lambda/secrets/secret-format';
import type { SecretMetadata } from '../../lambda/secrets/secret-store';

const metadata = (versionIdsToStages: SecretMetadata['versionIdsToStages'], rotationEnabled?: boolean): SecretMetadata => ({
  arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf',
  rotationEnabled,
  versionIdsToStages,
  tags: [],
});

const secret = (fields: Partial<DatabaseSecret> = {}): DatabaseSecret => ({
  engine: 'postgres',
  host: 'db.internal',
  username: 'app',
  password: 'x',
  ...fields,
});

describe('the pre-step gate', () => {
  it('runs the step for a token that is AWSPENDING', () => {
    expect(gate(metadata({ v1: ['AWSCURRENT'], t: ['AWSPENDING'] }, true), 't')).toBe('run');
  });

  it('treats a token already AWSCURRENT as done, even when AWSPENDING is still on it', () => {
    expect(gate(metadata({ v1: ['AWSPREVIOUS'], t: ['AWSCURRENT', 'AWSPENDING'] }, true), 't')).toBe('already-current');
  });

  it('refuses a secret whose rotation is disabled', () => {
    expect(() => gate(metadata({ t: ['AWSPENDING'] }, false), 't')).toThrow(RotationStateError);
  });

  it('accepts a secret that never had rotation configured, as AWS does', () => {
    expect(gate(metadata({ v1: ['AWSCURRENT'], t: ['AWSPENDING'] }), 't')).toBe('run');
  });

  it('refuses an unknown token and a token that is not AWSPENDING', () => {
    expect(() => gate(metadata({ v1: ['AWSCURRENT'] }, true), 'other')).toThrow(/has no stage for rotation/);
    expect(() => gate(metadata({ v1: ['AWSCURRENT'], t: ['AWSPREVIOUS'] }, true), 't')).toThrow(/is not AWSPENDING/);
  });

  it('finds the AWSCURRENT version', () => {
    expect(currentVersionId(metadata({ a: ['AWSPREVIOUS'], b: ['AWSCURRENT'] }))).toBe('b');
  });
});

describe('choosing a strategy', () => {
  it('does what AWS would: single user without masterarn, alternating with it', () => {
    expect(resolveStrategy(secret(), undefined)).toBe('single-user');
    expect(resolveStrategy(secret({ masterarn: 'arn:admin' }), undefined)).toBe('alternating');
  });

  it("lets the secret's strategy win over the environment, and the environment over AWS's default", () => {
    expect(resolveStrategy(secret({ masterarn: 'arn:admin', strategy: 'admin' }), 'alternating')).toBe('admin');
    expect(resolveStrategy(secret({ masterarn: 'arn:admin' }), 'admin')).toBe('admin');
  });

  it('names the missing field when a strategy needs an admin secret or an owner role', () => {
    expect(() => resolveStrategy(secret({ strategy: 'admin' }), undefined)).toThrow(new InvalidInputError('secret.masterarn', 'is required for the admin strategy (the admin secret\'s ARN)'));
    expect(() => resolveStrategy(secret({ strategy: 'alternating-owner', masterarn: 'arn:admin' }), undefined)).toThrow(/secret\.ownerRole/);
  });
});

describe('the login that receives the new password', () => {
  it('is the same login for single-user and admin rotation', () => {
    expect(pendingLogin('single-user', secret())).toEqual({ username: 'app', alternateUsername: undefined });
    expect(pendingLogin('admin', secret())).toEqual({ username: 'app', alternateUsername: undefined });
  });

  it("toggles AWS's _clone suffix when alternating without a named partner", () => {
    expect(pendingLogin('alternating', secret()).username).toBe('app_clone');
    expect(pendingLogin('alternating', secret({ username: 'app_clone' })).username).toBe('app');
  });

  it('swaps two named logins', () => {
    expect(pendingLogin('alternating-owner', secret({ username: 'app_a', alternateUsername: 'app_b' }))).toEqual({
      username: 'app_b',
      alternateUsername: 'app_a',
    });
  });

  it('refuses a clone name beyond 63 bytes, counting bytes, not characters', () => {
    expect(cloneUsername('a'.repeat(57))).toHaveLength(63);
    expect(() => cloneUsername('a'.repeat(58))).toThrow(InvalidInputError);
    expect(() => cloneUsername('é'.repeat(29))).toThrow(/63-byte limit/); // 58 bytes + 6
  });
});

describe('the pending secret value', () => {
  it('copies every other key unchanged, port type and key order included', () => {
    const current = { engine: 'postgres', host: 'h', port: '5432', username: 'app', password: 'old', dbClusterIdentifier: 'c1', extra: { a: 1 } };
    const pending = pendingSecretValue(current, { username: 'app_clone', alternateUsername: undefined }, 'new');
    expect(pending).toEqual({ ...current, username: 'app_clone', password: 'new' });
    expect(Object.keys(pending)).toEqual(Object.keys(current));
  });
});
