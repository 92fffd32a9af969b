import { describe, expect, it } from 'vitest';
import { PermissionPolicySchema, readPermissionPolicy } from '../../lambda/actions/permission-policy';
import { roleMatches } from '../../lambda/postgres/role-patterns';
import { durationMs } from '../../lambda/actions/validity-duration';
import { ENV, readEnvironment } from '../../lambda/config/environment';
import { orchestratorDeps } from '../../lambda/requests/orchestrator-deps';
import { createRuntime } from '../../lambda/runtime';
import { InvalidInputError } from '../../lambda/errors';

const policyText = (policy: unknown) => (typeof policy === 'string' ? policy : JSON.stringify(policy));

/** The error reading this policy throws, as `field: problem`. */
function envError(policy: unknown): string {
  try {
    readPermissionPolicy(policyText(policy));
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).message;
  }
  throw new Error('the policy was accepted');
}

const minimal = { actions: ['lock-user'], roles: { names: ['app_*'] } };

describe('role patterns', () => {
  it.each([
    ['app', 'app', true],
    ['app', 'App', false],
    ['app_*', 'app_', true],
    ['app_*', 'app_reader', true],
    ['app_*', 'xapp_reader', false],
    ['*_readonly', 'orders_readonly', true],
    ['*_readonly', 'orders_readonly2', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'a_c_b_c', true],
    ['a*b*c', 'ac', false],
    ['ab*ba', 'aba', false],
    ['*', '', true],
    ['x.*', 'xyz', false],
    ['"weird*', '"weird"; DROP', true],
  ])('%s against %s: %s', (pattern, name, expected) => {
    expect(roleMatches(pattern, name)).toBe(expected);
  });
});

describe('validity durations', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['8h', 28_800_000],
    ['7d', 604_800_000],
    ['8', undefined],
    ['8H', undefined],
    ['1.5h', undefined],
    ['-1h', undefined],
    ['08h', undefined],
    ['', undefined],
  ])('%s is %s ms', (text, expected) => {
    expect(durationMs(text)).toBe(expected);
  });
});

describe('PERMISSION_POLICY', () => {
  it('is optional: no policy is undefined, and so is an empty variable', () => {
    expect(readPermissionPolicy(readEnvironment({})[ENV.permissionPolicy])).toBeUndefined();
    expect(readPermissionPolicy(readEnvironment({ [ENV.permissionPolicy]: '' })[ENV.permissionPolicy])).toBeUndefined();
  });

  it("is parsed with its defaults into the orchestrator's dependencies, made once per container", () => {
    const runtime = createRuntime({ [ENV.permissionPolicy]: policyText(minimal) }, { writeLog: () => undefined });
    expect(orchestratorDeps(runtime).permissionPolicy).toEqual({
      actions: ['lock-user'],
      roles: { names: ['app_*'] },
      grants: [],
      schemas: [],
      grantOption: false,
      protectedRoles: [],
    });
  });

  it.each([
    ['not JSON', '{actions:', 'environment.PERMISSION_POLICY: must be JSON (a permission policy)'],
    ['a bad duration', { ...minimal, actions: ['create-temporary-user'], temporaryUsers: { prefix: 'tmp_', maxValidity: '8 hours', roles: ['r'] } }, 'environment.PERMISSION_POLICY.temporaryUsers.maxValidity: must be a whole number and a unit'],
    ['too long a validity', { ...minimal, actions: ['create-temporary-user'], temporaryUsers: { prefix: 'tmp_', maxValidity: '400d', roles: ['r'] } }, 'environment.PERMISSION_POLICY.temporaryUsers.maxValidity: must be from 1m to 366d'],
    ['an unknown action', { ...minimal, actions: ['lock-user', 'become-superuser'] }, 'environment.PERMISSION_POLICY.actions.1: '],
    ['a repeated action', { ...minimal, actions: ['lock-user', 'lock-user'] }, 'environment.PERMISSION_POLICY.actions: must not repeat an action'],
    ['no action', { ...minimal, actions: [] }, 'environment.PERMISSION_POLICY.actions: must enable at least one action'],
    ['an unknown field', { ...minimal, allowEverything: true }, 'environment.PERMISSION_POLICY.allowEverything: is not a known field'],
    ['an unknown nested field', { ...minimal, roles: { names: ['a'], regex: '.*' } }, 'environment.PERMISSION_POLICY.roles.regex: is not a known field'],
    ['a marker role PostgreSQL would refuse to create', { ...minimal, roles: { memberOf: 'pg_rotator_managed' } }, 'environment.PERMISSION_POLICY.roles.memberOf: must not start with pg_'],
    ['an empty pattern', { ...minimal, roles: { names: [''] } }, 'environment.PERMISSION_POLICY.roles.names.0: must not be empty'],
    ['actions on roles without roles', { actions: ['lock-user'] }, 'environment.PERMISSION_POLICY.roles: must name roles (names or memberOf): lock-user is enabled'],
    ['create-read-only-user with a marker only', { actions: ['create-read-only-user'], roles: { memberOf: 'rotator_managed' }, schemas: ['app'] }, 'environment.PERMISSION_POLICY.roles.names: must list the names it may create'],
    ['grant-role without grants', { ...minimal, actions: ['grant-role'] }, 'environment.PERMISSION_POLICY.grants: must list at least one role: grant-role is enabled'],
    ['privileges without schemas', { ...minimal, actions: ['grant-privileges', 'revoke-privileges'] }, 'environment.PERMISSION_POLICY.schemas: must list at least one schema: grant-privileges, revoke-privileges are enabled'],
    ['temporary users undeclared', { actions: ['expire-temporary-users'] }, 'environment.PERMISSION_POLICY.temporaryUsers: must be declared: expire-temporary-users is enabled'],
    ['a prefix that fills the name', { actions: ['expire-temporary-users'], temporaryUsers: { prefix: 'p'.repeat(63), maxValidity: '1h', roles: ['r'] } }, 'environment.PERMISSION_POLICY.temporaryUsers.prefix: must leave room for a name after it'],
  ])('fails loudly naming the field: %s', (_, policy, expected) => {
    expect(envError(policy)).toContain(expected);
  });

  it('temporary-user actions alone need no roles: temporary users are known by their prefix', () => {
    const policy = { actions: ['create-temporary-user', 'expire-temporary-users'], temporaryUsers: { prefix: 'tmp_', maxValidity: '8h', roles: ['app_readonly'] } };
    expect(PermissionPolicySchema.parse(policy).temporaryUsers).toEqual(policy.temporaryUsers);
  });

  it('a grant carries no ADMIN OPTION unless the policy allows it', () => {
    const policy = PermissionPolicySchema.parse({ ...minimal, actions: ['grant-role'], grants: [{ role: 'app_readonly' }, { role: 'app_lead', adminOption: true }] });
    expect(policy.grants).toEqual([{ role: 'app_readonly', adminOption: false }, { role: 'app_lead', adminOption: true }]);
  });
});
