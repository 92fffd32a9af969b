import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deploymentDeclarations } from '../../lambda/config/declarations';
import type { RotationBinding } from '../../lambda/config/rotation-bindings';
import { readRotationBindings, rotationBindingsFileText, RotationBindingSchema } from '../../lambda/config/rotation-bindings';
import { InvalidInputError } from '../../lambda/errors';
import { bindingFromTags } from '../../lambda/rotation/binding-tags';
import { boundSecret } from '../../lambda/rotation/bound-secret';
import { sameSecret } from '../../lambda/secrets/secret-arn';
import type { DatabaseSecret } from '../../lambda/secrets/secret-format';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-AbCdEf';
const ADMIN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/admin-GhIjKl';
const OTHER_ADMIN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/other-admin-MnOpQr';

const declarations = deploymentDeclarations({ bindings: [], tagsBind: false, adminSecretArns: [ADMIN] });
const deps = { declarations, env: {} };
const secret = (fields: Partial<DatabaseSecret> = {}): DatabaseSecret => ({ engine: 'postgres', host: 'db.internal', username: 'app', password: 'x', ...fields });
const file = (binding: Partial<RotationBinding>) => ({ binding: { secretArn: ARN, strategy: 'admin', adminSecretArn: ADMIN, username: 'app', ...binding } as RotationBinding, source: 'file' as const });

function refusal(work: () => unknown): InvalidInputError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('was not refused');
}

describe('secret ARNs', () => {
  it('match a complete ARN to itself and to its partial ARN, and nothing longer', () => {
    expect(sameSecret(ADMIN, ADMIN)).toBe(true);
    expect(sameSecret('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/admin', ADMIN)).toBe(true);
    expect(sameSecret('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/admin', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/admin-two-AbCdEf')).toBe(false);
    expect(sameSecret(ADMIN, OTHER_ADMIN)).toBe(false);
  });

  it('declare admin secrets by complete or partial ARN', () => {
    const byPartial = deploymentDeclarations({ bindings: [], tagsBind: false, adminSecretArns: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/admin'] });
    expect(byPartial.isAdminSecret(ADMIN)).toBe(true);
    expect(byPartial.isAdminSecret(OTHER_ADMIN)).toBe(false);
    expect(declarations.isAdminSecret(ADMIN)).toBe(true);
    expect(declarations.isAdminSecret(OTHER_ADMIN)).toBe(false);
  });
});

describe('the binding schema', () => {
  it.each([
    [{ strategy: 'admin', username: 'app' }, 'adminSecretArn'],
    [{ strategy: 'alternating', adminSecretArn: ADMIN }, 'username'],
    [{ strategy: 'alternating-owner', adminSecretArn: ADMIN, username: 'app' }, 'ownerRole'],
    [{ strategy: 'single-user', adminSecretArn: ADMIN }, 'adminSecretArn'],
    [{ strategy: 'admin', adminSecretArn: ADMIN, username: 'app', alternateUsername: 'app_b' }, 'alternateUsername'],
    [{ strategy: 'alternating', adminSecretArn: 'prod/admin', username: 'app' }, 'adminSecretArn'],
    // finishSecret would write the login's credentials over the admin's, or over the rotated secret.
    [{ strategy: 'alternating', adminSecretArn: ADMIN, username: 'app', alternateUsernameCompanionSecretArn: ADMIN.slice(0, -7) }, 'alternateUsernameCompanionSecretArn'],
    [{ strategy: 'single-user', username: 'app', usernameCompanionSecretArn: ARN }, 'usernameCompanionSecretArn'],
  ])('refuses %j, naming %s', (fields, field) => {
    const parsed = RotationBindingSchema.safeParse({ secretArn: ARN, ...fields });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual([field]);
  });

  it('is written in a stable order and read back', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-rotator-bindings-'));
    const bindings: RotationBinding[] = [
      { secretArn: OTHER_ADMIN, strategy: 'single-user' },
      { secretArn: ARN, strategy: 'admin', adminSecretArn: ADMIN, username: 'app' },
    ];
    const text = rotationBindingsFileText(bindings);
    expect(rotationBindingsFileText([...bindings].reverse())).toBe(text);
    writeFileSync(path.join(dir, 'rotation-bindings.json'), text);
    expect(readRotationBindings(path.join(dir, 'rotation-bindings.json')).map((b) => b.secretArn)).toEqual([ARN, OTHER_ADMIN]);
    expect(readRotationBindings(path.join(dir, 'absent.json'))).toEqual([]);
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ schema: 'pg-rotator.rotation-bindings/1', bindings: [{ secretArn: ARN, strategy: 'admin' }] }));
    expect(refusal(() => readRotationBindings(path.join(dir, 'bad.json'))).field).toBe('rotation-bindings.json.bindings.0.adminSecretArn');
  });
});

describe('binding tags', () => {
  it('make a binding from pg-rotator:* tags, ignoring other tags', () => {
    expect(
      bindingFromTags(ARN, [
        { Key: 'team', Value: 'orders' },
        { Key: 'pg-rotator:strategy', Value: 'alternating' },
        { Key: 'pg-rotator:admin-secret', Value: ADMIN },
        { Key: 'pg-rotator:username', Value: 'app' },
      ]),
    ).toEqual({ secretArn: ARN, strategy: 'alternating', adminSecretArn: ADMIN, username: 'app' });
    expect(bindingFromTags(ARN, [{ Key: 'team', Value: 'orders' }])).toBeUndefined();
  });

  it('refuse an incomplete or unknown pg-rotator tag, naming it', () => {
    expect(refusal(() => bindingFromTags(ARN, [{ Key: 'pg-rotator:strategy', Value: 'admin' }, { Key: 'pg-rotator:username', Value: 'app' }])).field).toBe(
      'secret.tags.pg-rotator:admin-secret',
    );
    expect(refusal(() => bindingFromTags(ARN, [{ Key: 'pg-rotator:role', Value: 'admin' }])).field).toBe('secret.tags.pg-rotator:role');
  });
});

describe('a bound secret (issue 18, attack 2: the value steers the admin)', () => {
  it('takes strategy, admin secret, owner role and logins from the binding, not the value', () => {
    const bound = boundSecret(secret(), file({ strategy: 'alternating-owner', ownerRole: 'app_owner', alternateUsername: 'app_b' }), deps);
    expect(bound).toMatchObject({ strategy: 'alternating-owner', masterarn: ADMIN, ownerRole: 'app_owner', alternateUsername: 'app_b', username: 'app' });
    expect(boundSecret(secret({ username: 'app_b' }), file({ strategy: 'alternating', alternateUsername: 'app_b' }), deps).alternateUsername).toBe('app');
    expect(boundSecret(secret({ username: 'app_clone' }), file({ strategy: 'alternating' }), deps).alternateUsername).toBeUndefined();
  });

  it.each([
    ['username set to the admin', { username: 'rotator_admin' }, 'secret.username'],
    ['strategy changed', { strategy: 'single-user' as const }, 'secret.strategy'],
    ['masterarn pointed at another admin secret', { masterarn: OTHER_ADMIN }, 'secret.masterarn'],
    ['ownerRole set on a binding with none', { ownerRole: 'rds_superuser' }, 'secret.ownerRole'],
    ['alternateUsername set to another login', { alternateUsername: 'other_team_app' }, 'secret.alternateUsername'],
  ])('refuses a value with %s, naming the field', (_what, fields, field) => {
    expect(refusal(() => boundSecret(secret(fields), file({}), deps)).field).toBe(field);
  });

  it("refuses another team's owner role on an alternating-owner secret", () => {
    expect(refusal(() => boundSecret(secret({ ownerRole: 'billing_owner' }), file({ strategy: 'alternating-owner', ownerRole: 'app_owner' }), deps)).field).toBe('secret.ownerRole');
  });

  it('keeps a value that agrees, with the same masterarn written as a partial ARN', () => {
    expect(boundSecret(secret({ strategy: 'admin', masterarn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/admin' }), file({}), deps).masterarn).toBe(ADMIN);
  });

  it('refuses a binding whose admin secret the deployment did not declare (ADMIN_SECRET_ARNS), naming where it came from', () => {
    expect(refusal(() => boundSecret(secret(), file({ adminSecretArn: OTHER_ADMIN }), deps)).field).toBe('binding.adminSecretArn');
    const tagged = { binding: file({ adminSecretArn: OTHER_ADMIN }).binding, source: 'tags' as const };
    expect(refusal(() => boundSecret(secret(), tagged, deps)).field).toBe('secret.tags.pg-rotator:admin-secret');
  });

  it('rotates an unbound secret only as single-user, and says how to declare anything else', () => {
    expect(boundSecret(secret(), undefined, deps).strategy).toBe('single-user');
    expect(boundSecret(secret({ strategy: 'single-user' }), undefined, deps).strategy).toBe('single-user');
    const asAdmin = refusal(() => boundSecret(secret({ strategy: 'admin', masterarn: ADMIN }), undefined, deps));
    expect(asAdmin.field).toBe('secret.strategy');
    expect(asAdmin.message).toContain("declare its strategy, admin secret and login in the deployment (the construct's rotations, the config's secrets[]");
    expect(refusal(() => boundSecret(secret({ masterarn: ADMIN }), undefined, deps)).field).toBe('secret.masterarn');
    expect(refusal(() => boundSecret(secret(), undefined, { declarations, env: { DEFAULT_STRATEGY: 'admin' } })).field).toBe('environment.DEFAULT_STRATEGY');
  });
});
