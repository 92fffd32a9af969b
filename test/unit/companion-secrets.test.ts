import { describe, expect, it } from 'vitest';
import { checkCompanionSecrets, companionSecretsOf, companionValue, planCompanionWrites } from '../../lambda/rotation/companion-secrets';
import { bindingFromTags } from '../../lambda/rotation/binding-tags';
import { RotationBindingSchema } from '../../lambda/config/rotation-bindings';

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
const SECRET = ARN('app');
const ADMIN = ARN('admin');
const asTags = (record: Record<string, string>) => Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
const tags = {
  'pg-rotator:strategy': 'alternating',
  'pg-rotator:admin-secret': ADMIN,
  'pg-rotator:username': 'app',
  'pg-rotator:username-companion-secret': ARN('app-login'),
  'pg-rotator:alternate-username-companion-secret': ARN('app-clone-login'),
};
const fromTags = (record: Record<string, string>) => companionSecretsOf(bindingFromTags(SECRET, asTags(record)));
const version = (versionId: string, username: string) => ({ versionId, username, raw: { engine: 'postgres', host: 'h', username, password: `pw-${versionId}` } });

describe('companion secrets declared by the deployment', () => {
  it("pairs each companion with its bound login; the alternate login is AWS's <username>_clone unless named", () => {
    expect(fromTags(tags)).toEqual([
      { login: 'app', secretArn: ARN('app-login') },
      { login: 'app_clone', secretArn: ARN('app-clone-login') },
    ]);
    expect(fromTags({ ...tags, 'pg-rotator:alternate-username': 'app_blue' })[1]).toEqual({ login: 'app_blue', secretArn: ARN('app-clone-login') });
    expect(fromTags({ 'pg-rotator:strategy': 'alternating', 'pg-rotator:admin-secret': ADMIN, 'pg-rotator:username': 'app' })).toEqual([]);
    expect(companionSecretsOf(undefined)).toEqual([]);
  });

  it.for([
    [{ 'pg-rotator:strategy': 'single-user', 'pg-rotator:username-companion-secret': ARN('x') }, 'secret.tags.pg-rotator:username: is required with companion secrets'],
    [{ ...tags, 'pg-rotator:username-companion-secret': 'prod/app-login' }, 'secret.tags.pg-rotator:username-companion-secret: must be a secret ARN'],
    [{ ...tags, 'pg-rotator:alternate-username-companion-secret': ARN('app-login') }, "secret.tags.pg-rotator:alternate-username-companion-secret: must differ from the username's companion"],
    [{ 'pg-rotator:strategy': 'single-user', 'pg-rotator:username': 'app', 'pg-rotator:alternate-username-companion-secret': ARN('x') }, 'secret.tags.pg-rotator:alternate-username-companion-secret: is only for the alternating strategies'],
  ] as const)('refuses tags %o: %s', ([given, message]) => {
    expect(() => fromTags(given)).toThrow(message);
  });

  it('refuses the same declarations in a bindings file, naming the field', () => {
    const parsed = RotationBindingSchema.safeParse({ secretArn: SECRET, strategy: 'single-user', username: 'app', usernameCompanionSecretArn: 'app-login' });
    expect(parsed.success ? undefined : parsed.error.issues[0]?.path).toEqual(['usernameCompanionSecretArn']);
  });
});

describe('what a rotation writes to them', () => {
  const declared = fromTags(tags);

  it("gives the pending login's companion the pending version, the other login's the current one", () => {
    const writes = planCompanionWrites(declared, { secretArn: SECRET, adminArn: ADMIN, pending: version('v2', 'app_clone'), current: version('v1', 'app') }, 'tags');
    expect(writes.map((w) => [w.login, w.secretArn, w.version.versionId])).toEqual([
      ['app', ARN('app-login'), 'v1'],
      ['app_clone', ARN('app-clone-login'), 'v2'],
    ]);
  });

  it.for([
    [{ pendingUsername: 'app_other', currentUsername: 'app' }, 'tags: declare login "app_clone", which is neither login of this rotation'],
    [{ pendingUsername: 'app', currentUsername: 'app' }, 'tags: declare login "app_clone", which is neither login of this rotation'],
  ] as const)('refuses a declaration that does not fit the rotation: %o', ([logins, message]) => {
    expect(() => checkCompanionSecrets(declared, { secretArn: SECRET, adminArn: ADMIN, ...logins }, 'tags')).toThrow(message);
  });

  it('refuses a rotation of a login that has no companion, and a companion that is the rotated or the admin secret', () => {
    const one = [{ login: 'app', secretArn: ARN('app-login') }];
    expect(() => checkCompanionSecrets(one, { secretArn: SECRET, adminArn: ADMIN, pendingUsername: 'app_clone', currentUsername: 'app' }, 'tags')).toThrow(
      'tags: declare no companion secret for login "app_clone", whose password this rotation changes',
    );
    expect(() => checkCompanionSecrets([{ login: 'app', secretArn: SECRET }], { secretArn: SECRET, adminArn: ADMIN, pendingUsername: 'app', currentUsername: 'app' }, 'tags')).toThrow(
      'tags: name the rotated secret as the companion of login "app"',
    );
    expect(() => checkCompanionSecrets([{ login: 'app', secretArn: ADMIN }], { secretArn: SECRET, adminArn: ADMIN, pendingUsername: 'app', currentUsername: 'app' }, 'tags')).toThrow(
      'tags: name its admin secret as the companion of login "app"',
    );
    expect(() => checkCompanionSecrets([], { secretArn: SECRET, adminArn: ADMIN, pendingUsername: 'app', currentUsername: 'app' }, 'tags')).not.toThrow();
  });

  it('a companion holds how to log in as its one login, in the version’s own types, and no rotation settings', () => {
    const raw = { engine: 'postgres', host: 'db', port: '5432', username: 'app_clone', password: 'pw', dbname: 'app', masterarn: ADMIN, strategy: 'alternating', alternateUsername: 'app', sslmode: 'verify-full', extra: 1 };
    expect(JSON.parse(companionValue(raw))).toEqual({ engine: 'postgres', host: 'db', port: '5432', dbname: 'app', username: 'app_clone', password: 'pw', sslmode: 'verify-full' });
    expect(companionValue(raw)).toBe(companionValue({ ...raw }));
  });
});
