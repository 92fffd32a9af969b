import { describe, expect, it } from 'vitest';
import type { ActionCall } from '../../lambda/actions/action-request';
import { secretRefusal } from '../../lambda/actions/action-guard';
import { subjectsOf } from '../../lambda/actions/action-subjects';
import { GUARD_RULES } from '../../lambda/actions/guard-rules';
import type { PermissionPolicyInput } from '../../lambda/actions/permission-policy';
import { PermissionPolicySchema } from '../../lambda/actions/permission-policy';
import { admitAction, decideExpiry, decideSubjects } from '../../lambda/actions/policy-decisions';
import type { Lineage, LineageRole, Lineages } from '../../lambda/catalog/protection-facts';
import { actionProtection, NO_ROTATED_ROLES } from '../../lambda/catalog/protected-roles';

const role = (name: string, extra: Partial<LineageRole> & { comment?: string } = {}, memberOf: (Partial<LineageRole> & { name: string })[] = []): [string, Lineage] => {
  const { comment = null, ...facts } = extra;
  const base = { login: true, superuser: false, createrole: false, bypassrls: false, replication: false, isAdmin: false, adminHolds: false };
  return [name, { self: { ...base, ...facts, name, comment }, memberOf: memberOf.map((m) => ({ ...base, login: false, direct: true, ...m })) }];
};

/** The catalog as the guard would read it: a few ordinary roles, the marker's members, protected ones. */
const catalog: Lineages = new Map([
  role('app_alice'),
  role('bob', {}, [{ name: 'rotator_managed' }]),
  role('carol'),
  role('app_dba', { createrole: true }),
  role('app_sneaky', {}, [{ name: 'rds_superuser' }]),
  role('app_readonly', { login: false }),
  role('app_lead', { login: false }),
  role('rotator_managed', { login: false }),
  role('team_x', { login: false }, [{ name: 'rotator_managed' }]),
  role('rds_superuser', { login: false }),
  role('tmp_x', { comment: 'pg-rotator:temporary-user' }),
  role('tmp_y'),
  role('rotator', { isAdmin: true, createrole: true }),
]);

const policyOf = (input: Partial<PermissionPolicyInput> = {}) =>
  PermissionPolicySchema.parse({
    actions: ['lock-user', 'drop-user', 'grant-role', 'revoke-role', 'create-read-only-user', 'create-temporary-user', 'grant-privileges'],
    roles: { names: ['app_*'], memberOf: 'rotator_managed' },
    grants: [{ role: 'app_readonly' }, { role: 'app_lead', adminOption: true }],
    schemas: ['app', 'report_*'],
    temporaryUsers: { prefix: 'tmp_', maxValidity: '8h', roles: ['app_readonly'] },
    ...input,
  });

const now = new Date('2030-01-01T00:00:00Z');
type Policy = ReturnType<typeof policyOf>;
/** `policy` null: none is configured (a dry run). */
const decide = (call: ActionCall, policy: Policy | null = policyOf()) =>
  decideSubjects({ policy: policy ?? undefined, subjects: subjectsOf(call), lineages: catalog, protection: actionProtection(NO_ROTATED_ROLES, []), adminLogin: 'rotator', now });
const ruleOf = (call: ActionCall, policy?: Policy | null) => decide(call, policy)?.rule;

const lock = (name: string): ActionCall => ({ action: 'lock-user', params: { role: name, terminateSessions: false } });
const grant = (member: string, granted: string, adminOption = false): ActionCall => ({ action: 'grant-role', params: { role: member, grantedRole: granted, adminOption } });
const temporary = (name: string, memberOf: string[], validUntil = '2030-01-01T08:00:00Z'): ActionCall => ({
  action: 'create-temporary-user',
  params: { role: name, validUntil, memberOf, secretName: 's', revealPassword: false },
});

describe('before connecting', () => {
  it('without a policy a real run is refused, saying how to declare one; a dry run goes on', () => {
    const refusal = admitAction(undefined, 'lock-user', false);
    expect(refusal?.rule).toBe('policy.not-configured');
    expect(refusal?.message).toContain('orchestration.policy');
    expect(refusal?.message).toContain('PERMISSION_POLICY');
    expect(admitAction(undefined, 'lock-user', true)).toBeUndefined();
  });

  it('an action the policy does not enable is refused, dry run or not', () => {
    expect(admitAction(policyOf(), 'rotate-password', false)?.rule).toBe('policy.action-disabled');
    expect(admitAction(policyOf(), 'rotate-password', true)?.rule).toBe('policy.action-disabled');
    expect(admitAction(policyOf(), 'lock-user', false)).toBeUndefined();
  });
});

describe('the roles an action acts on', () => {
  it('are allowed by name pattern, by membership of the marker role, or as temporary users', () => {
    expect(decide(lock('app_alice'))).toBeUndefined();
    expect(decide(lock('bob'))).toBeUndefined();
    expect(decide(lock('tmp_x'))).toBeUndefined();
  });

  it('anything else is policy.target-not-managed, naming the field and both ways the policy covers roles', () => {
    expect(decide(lock('carol'))).toEqual({
      rule: 'policy.target-not-managed',
      message: 'request.params.role: role "carol" is not a role the permission policy lets actions act on: it matches none of roles.names (app_*) and is not a member of "rotator_managed"',
    });
    // The prefix alone does not make a role temporary: create-temporary-user's marker must be there too.
    expect(ruleOf(lock('tmp_y'))).toBe('policy.target-not-managed');
  });

  it('protection comes first, whatever the policy says', () => {
    expect(ruleOf(lock('app_dba'))).toBe('protected.createrole');
    expect(ruleOf(lock('app_sneaky'))).toBe('protected.member-of-protected');
    expect(ruleOf(lock('rotator'), policyOf({ roles: { names: ['*'] } }))).toBe('protected.admin-login');
    expect(decide(lock('app_dba'))?.message).toMatch(/^request\.params\.role: role "app_dba" has CREATEROLE; it is protected whatever the policy says$/);
  });

  it('a role that does not exist is judged by its name: a no-op drop of a missing managed role is allowed', () => {
    expect(decide({ action: 'drop-user', params: { role: 'app_gone', terminateSessions: false } })).toBeUndefined();
    expect(ruleOf({ action: 'drop-user', params: { role: 'gone', terminateSessions: false } })).toBe('policy.target-not-managed');
  });

  it("reassignOwnedTo may be the admin login or a role the policy covers, and nothing else", () => {
    const drop = (to: string): ActionCall => ({ action: 'drop-user', params: { role: 'app_alice', reassignOwnedTo: to, terminateSessions: false } });
    expect(decide(drop('rotator'))).toBeUndefined();
    expect(decide(drop('bob'))).toBeUndefined();
    expect(ruleOf(drop('carol'))).toBe('policy.reassign-not-allowed');
  });

  it('a protected role never receives a dropped role\'s objects, whatever the policy covers, dry run or not', () => {
    const drop = (to: string): ActionCall => ({ action: 'drop-user', params: { role: 'app_alice', reassignOwnedTo: to, terminateSessions: false } });
    const expire = (to: string): ActionCall => ({ action: 'expire-temporary-users', params: { reassignOwnedTo: to, terminateSessions: true } });
    expect(decide(drop('app_sneaky'))).toEqual({
      rule: 'protected.member-of-protected',
      message: expect.stringMatching(/^request\.params\.reassignOwnedTo: role "app_sneaky" is a member of "rds_superuser".*, so it may not receive the dropped role's objects; it is protected whatever the policy says$/),
    });
    expect(ruleOf(drop('app_dba'))).toBe('protected.createrole');
    expect(ruleOf(expire('app_dba'))).toBe('protected.createrole');
    expect(ruleOf(drop('app_dba'), null)).toBe('protected.createrole');
  });
});

describe('grants', () => {
  it('only the roles the policy lists, and ADMIN OPTION only where its entry allows it', () => {
    expect(decide(grant('app_alice', 'app_readonly'))).toBeUndefined();
    expect(ruleOf(grant('app_alice', 'app_lead_2'))).toBe('policy.grant-not-allowed');
    expect(ruleOf(grant('app_alice', 'app_readonly', true))).toBe('policy.admin-option-not-allowed');
    expect(decide(grant('app_alice', 'app_lead', true))).toBeUndefined();
  });

  it('a protected role is never granted, even when the policy lists it, and the message says what granting would do', () => {
    const everything = policyOf({ grants: [{ role: '*', adminOption: true }] });
    const refusal = decide(grant('app_alice', 'rds_superuser'), everything);
    expect(refusal?.rule).toBe('protected.managed-service-admin');
    expect(refusal?.message).toContain('granting it would make "app_alice" a member of a protected role');
    // A role that is itself a member of a protected role would pass that membership on.
    expect(ruleOf(grant('app_alice', 'app_sneaky'), everything)).toBe('protected.member-of-protected');
    expect(ruleOf(grant('app_alice', 'pg_write_server_files'), everything)).toBe('protected.predefined');
  });

  it('the marker role is never granted or revoked: that would decide what actions may act on', () => {
    const everything = policyOf({ grants: [{ role: '*', adminOption: true }] });
    expect(ruleOf(grant('app_alice', 'rotator_managed'), everything)).toBe('policy.grant-not-allowed');
    expect(ruleOf({ action: 'revoke-role', params: { role: 'bob', grantedRole: 'rotator_managed' } }, everything)).toBe('policy.grant-not-allowed');
  });

  it('nor a member of the marker role, which would bring the grantee\'s members under the policy just the same', () => {
    const everything = policyOf({ grants: [{ role: '*', adminOption: true }], temporaryUsers: { prefix: 'tmp_', maxValidity: '8h', roles: ['*'] } });
    expect(decide(grant('app_alice', 'team_x'), everything)).toEqual({
      rule: 'policy.grant-not-allowed',
      message: expect.stringContaining('request.params.grantedRole: role "team_x" is a member of the policy\'s marker role "rotator_managed" (roles.memberOf)'),
    });
    expect(ruleOf({ action: 'revoke-role', params: { role: 'app_alice', grantedRole: 'team_x' } }, everything)).toBe('policy.grant-not-allowed');
    expect(ruleOf(temporary('tmp_new', ['team_x']), everything)).toBe('policy.grant-not-allowed');
    // Without a marker role in the policy, membership decides nothing: team_x is an ordinary grant.
    expect(decide(grant('app_alice', 'team_x'), policyOf({ roles: { names: ['app_*'] }, grants: [{ role: '*' }] }))).toBeUndefined();
  });

  it('revoke-role revokes only what the policy lets actions grant', () => {
    expect(decide({ action: 'revoke-role', params: { role: 'app_alice', grantedRole: 'app_readonly' } })).toBeUndefined();
    expect(ruleOf({ action: 'revoke-role', params: { role: 'app_alice', grantedRole: 'carol' } })).toBe('policy.grant-not-allowed');
  });
});

describe('temporary users', () => {
  it('a new one is named with the prefix, gets only the listed roles, for at most maxValidity by the server clock', () => {
    expect(decide(temporary('tmp_new', ['app_readonly']))).toBeUndefined();
    expect(ruleOf(temporary('new', ['app_readonly']))).toBe('policy.temporary-user-name');
    expect(ruleOf(temporary('tmp_new', ['app_lead']))).toBe('policy.temporary-user-role');
    expect(ruleOf(temporary('tmp_new', ['app_readonly'], '2030-01-01T08:00:01Z'))).toBe('policy.temporary-user-validity');
    expect(decide(temporary('tmp_new', ['app_readonly'], '2030-01-01T08:00:01Z'))?.message).toContain('more than 8h ahead');
  });

  it('its roles are checked for protection first', () => {
    const any = policyOf({ temporaryUsers: { prefix: 'tmp_', maxValidity: '8h', roles: ['*'] } });
    expect(ruleOf(temporary('tmp_new', ['app_readonly', 'rds_superuser']), any)).toBe('protected.managed-service-admin');
    expect(ruleOf(temporary('tmp_new', ['app_sneaky']), any)).toBe('protected.member-of-protected');
    expect(ruleOf(temporary('tmp_new', ['rotator_managed']), any)).toBe('policy.grant-not-allowed');
  });

  it('expire-temporary-users leaves protected roles and roles without the prefix alone', () => {
    const protection = actionProtection(NO_ROTATED_ROLES, []);
    expect(decideExpiry('tmp_x', catalog.get('tmp_x'), policyOf(), protection)).toBeUndefined();
    expect(decideExpiry('app_sneaky', catalog.get('app_sneaky'), policyOf(), protection)?.rule).toBe('protected.member-of-protected');
    expect(decideExpiry('carol', catalog.get('carol'), policyOf(), protection)?.rule).toBe('policy.temporary-user-name');
    expect(decideExpiry('carol', catalog.get('carol'), undefined, protection)).toBeUndefined();
  });
});

describe('schemas', () => {
  it('privileges are granted or revoked only in the schemas the policy lists', () => {
    const grantOn = (schema: string): ActionCall => ({
      action: 'grant-privileges',
      params: { role: 'app_alice', grants: [{ on: 'schema', schema, privileges: ['USAGE'], grantable: false, grantor: 'app_owner' }] },
    });
    expect(decide(grantOn('report_2030'))).toBeUndefined();
    expect(decide(grantOn('billing'))).toEqual({
      rule: 'policy.schema-not-allowed',
      message: 'request.params.grants.0.schema: schema "billing" is not among the schemas the permission policy lists (app, report_*)',
    });
  });

  it('a privilege is granted WITH GRANT OPTION only where the policy allows it, default privileges included', () => {
    const grantOn = (grantable: boolean, on: 'table' | 'default' = 'table'): ActionCall => ({
      action: 'grant-privileges',
      params: {
        role: 'app_alice',
        grants: [
          { on: 'schema', schema: 'app', privileges: ['USAGE'], grantable: false, grantor: 'app_owner' },
          on === 'table'
            ? { on: 'table', schema: 'app', name: 'accounts', privileges: ['SELECT'], grantable, grantor: 'app_owner' }
            : { on: 'default', schema: 'app', privileges: ['SELECT'], grantable, forRole: 'app_owner', objects: 'tables' },
        ],
      },
    });
    expect(decide(grantOn(false))).toBeUndefined();
    expect(decide(grantOn(true))).toEqual({
      rule: 'policy.grant-option-not-allowed',
      message:
        'request.params.grants.1.grantable: the permission policy does not let actions grant privileges WITH GRANT OPTION (grantOption), as asked on table "app"."accounts": the grantee could grant it on to any role',
    });
    expect(ruleOf(grantOn(true, 'default'))).toBe('policy.grant-option-not-allowed');
    expect(decide(grantOn(true), policyOf({ grantOption: true }))).toBeUndefined();
  });

  it('create-read-only-user may create only names the policy covers, and read only its schemas', () => {
    const create = (name: string, schemas: string[]): ActionCall => ({ action: 'create-read-only-user', params: { role: name, schemas, secretName: 's', revealPassword: false } });
    expect(decide(create('app_report', ['app']))).toBeUndefined();
    expect(ruleOf(create('report', ['app']))).toBe('policy.target-not-managed');
    // The temporary-user prefix covers temporary users only: a permanent login named like one needs roles.names.
    expect(ruleOf(create('tmp_report', ['app']))).toBe('policy.target-not-managed');
    expect(ruleOf(create('app_report', ['app', 'billing']))).toBe('policy.schema-not-allowed');
    expect(ruleOf(create('pg_reader', ['app']), policyOf({ roles: { names: ['*'] } }))).toBe('protected.predefined');
  });
});

describe('a dry run without a policy', () => {
  it('is checked against the protected roles only', () => {
    expect(decide(lock('carol'), null)).toBeUndefined();
    expect(decide(temporary('anyone', ['app_lead'], '2099-01-01T00:00:00Z'), null)).toBeUndefined();
    expect(ruleOf(lock('app_dba'), null)).toBe('protected.createrole');
    expect(ruleOf(grant('carol', 'rds_superuser'), null)).toBe('protected.managed-service-admin');
  });
});

describe('rules', () => {
  it('every rule a decision can name is a documented rule', () => {
    const named = new Set<string>();
    const calls: ActionCall[] = [lock('carol'), lock('app_dba'), grant('app_alice', 'x'), grant('app_alice', 'app_readonly', true), temporary('x', []), temporary('tmp_a', ['x']), temporary('tmp_a', ['app_readonly'], '2031-01-01T00:00:00Z')];
    for (const call of calls) named.add(ruleOf(call) ?? '');
    for (const rule of named) expect(Object.keys(GUARD_RULES)).toContain(rule);
  });
});

describe('password secrets', () => {
  it('are written only for a role the guard allowed as the action\'s own, whatever a plan says', () => {
    const cleared = new Set(['app_alice']);
    const put = (username: unknown) => ({ kind: 'put' as const, secretId: 's', previousVersionId: 'v', value: { username } });
    expect(secretRefusal(put('app_alice'), cleared)).toBeUndefined();
    expect(secretRefusal(put('app_dba'), cleared)?.rule).toBe('policy.target-not-managed');
    expect(secretRefusal(put(undefined), cleared)?.rule).toBe('policy.target-not-managed');
    expect(secretRefusal({ kind: 'create', name: 'n', description: 'd', value: { username: 'app_dba' } }, cleared)?.rule).toBe('policy.target-not-managed');
    expect(secretRefusal({ kind: 'delete', secretId: 's' }, cleared)).toBeUndefined();
    expect(secretRefusal(undefined, cleared)).toBeUndefined();
  });
});
