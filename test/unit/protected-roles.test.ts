import { describe, expect, it } from 'vitest';
import type { Lineage, LineageRole } from '../../lambda/catalog/protection-facts';
import { lineagesFrom } from '../../lambda/catalog/protection-facts';
import { protectionSql } from '../../lambda/catalog/protection-sql';
import type { ProtectionContext } from '../../lambda/catalog/protected-roles';
import { actionProtection, NO_ROTATED_ROLES, PROTECTION_RULES, protectionOf, ROTATION_PROTECTION } from '../../lambda/catalog/protected-roles';
import { GUARD_RULES } from '../../lambda/actions/guard-rules';

const plain = (name: string, extra: Partial<LineageRole> = {}): LineageRole => ({
  name,
  login: false,
  superuser: false,
  createrole: false,
  bypassrls: false,
  replication: false,
  isAdmin: false,
  adminHolds: false,
  ...extra,
});

/** A role's lineage: itself, and the roles it is a member of (`~name` for a membership through other roles). */
const lineage = (self: LineageRole, ...memberOf: LineageRole[]): Lineage => ({
  self: { ...self, comment: null },
  memberOf: memberOf.map((role) => ({ ...role, name: role.name.replace(/^~/, ''), direct: !role.name.startsWith('~') })),
});

const ctx: ProtectionContext = actionProtection({ logins: new Set(['app_user']), ownerRoles: new Set(['app_owner']) }, ['dba_*']);

describe('always-protected roles', () => {
  it.each([
    ['the admin login', plain('rotator', { isAdmin: true, createrole: true }), 'protected.admin-login'],
    ['a superuser', plain('postgres', { superuser: true, createrole: true }), 'protected.superuser'],
    ['a CREATEROLE role', plain('dba', { createrole: true }), 'protected.createrole'],
    ['a BYPASSRLS role', plain('auditor', { bypassrls: true }), 'protected.bypassrls'],
    ['a REPLICATION role', plain('replicator', { replication: true }), 'protected.replication'],
    ['a predefined role', plain('pg_execute_server_program'), 'protected.predefined'],
    ['RDS\'s rds_superuser', plain('rds_superuser'), 'protected.managed-service-admin'],
    ['RDS\'s rds_iam', plain('rds_iam'), 'protected.managed-service-admin'],
    ['Azure\'s azure_pg_admin', plain('azure_pg_admin'), 'protected.managed-service-admin'],
    ['Cloud SQL\'s cloudsqlsuperuser', plain('cloudsqlsuperuser'), 'protected.managed-service-admin'],
    ['AlloyDB\'s alloydbsuperuser', plain('alloydbsuperuser'), 'protected.managed-service-admin'],
    ['a rotated login', plain('app_user', { login: true }), 'protected.rotated-login'],
    ['the owner role of an alternating-owner rotation', plain('app_owner'), 'protected.owner-role'],
    ['a role the policy adds', plain('dba_alice'), 'protected.declared'],
    ['a role whose privileges the admin holds', plain('schema_owner', { adminHolds: true }), 'protected.admin-membership'],
  ])('%s is protected by its own facts', (_, role, rule) => {
    expect(protectionOf(role.name, lineage(role), ctx)?.rule).toBe(rule);
  });

  it('the strongest of several reasons names the rule: a superuser admin is first the admin login', () => {
    expect(protectionOf('root', lineage(plain('root', { isAdmin: true, superuser: true, adminHolds: true })), ctx)?.rule).toBe('protected.admin-login');
  });

  it('a member of a protected role is protected, directly or through other roles, and the message names the way', () => {
    const direct = protectionOf('alice', lineage(plain('alice', { login: true }), plain('rds_superuser')), ctx);
    expect(direct).toEqual({
      rule: 'protected.member-of-protected',
      message: 'is a member of "rds_superuser", which is a managed service\'s admin role (rds_*) (protected.managed-service-admin)',
    });
    const through = protectionOf('bob', lineage(plain('bob', { login: true }), plain('team'), plain('~dba', { createrole: true })), ctx);
    expect(through?.rule).toBe('protected.member-of-protected');
    expect(through?.message).toBe('is a member of "dba" (through other roles), which has CREATEROLE (protected.createrole)');
  });

  it('the nearest protected role is named: direct memberships first', () => {
    const found = protectionOf('c', lineage(plain('c'), plain('~pg_monitor'), plain('rotator', { isAdmin: true })), ctx);
    expect(found?.message).toContain('"rotator", which is the admin login');
  });

  it('a role with nothing protected in its lineage is not protected', () => {
    expect(protectionOf('alice', lineage(plain('alice', { login: true }), plain('app_readonly'), plain('~app_base')), ctx)).toBeUndefined();
  });

  it('a role that does not exist is judged by its name alone', () => {
    expect(protectionOf('pg_new', undefined, ctx)?.rule).toBe('protected.predefined');
    expect(protectionOf('rds_future', undefined, ctx)?.rule).toBe('protected.managed-service-admin');
    expect(protectionOf('app_user', undefined, ctx)?.rule).toBe('protected.rotated-login');
    expect(protectionOf('app_owner', undefined, ctx)?.rule).toBe('protected.owner-role');
    expect(protectionOf('dba_bob', undefined, ctx)?.rule).toBe('protected.declared');
    expect(protectionOf('new_login', undefined, ctx)).toBeUndefined();
  });

  it('names are case-sensitive, as PostgreSQL stores them', () => {
    expect(protectionOf('RDS_SUPERUSER', undefined, ctx)).toBeUndefined();
    expect(protectionOf('App_User', undefined, ctx)).toBeUndefined();
  });
});

describe('one definition for actions and admin-driven rotation', () => {
  it('the guard refuses by exactly the protection rules, and the policy rules besides', () => {
    expect(Object.keys(GUARD_RULES).filter((rule) => rule.startsWith('protected.'))).toEqual(Object.keys(PROTECTION_RULES));
  });

  it.each([
    ['a superuser', plain('postgres', { superuser: true })],
    ['a CREATEROLE role', plain('dba', { createrole: true })],
    ['a predefined role', plain('pg_monitor')],
    ['a managed service admin role, by the same patterns', plain('rds_iam')],
    ['the admin login', plain('rotator', { isAdmin: true })],
  ])('rotation refuses %s exactly as an action would', (_, role) => {
    expect(protectionOf(role.name, lineage(role), ROTATION_PROTECTION)).toEqual(protectionOf(role.name, lineage(role), actionProtection(NO_ROTATED_ROLES, [])));
    expect(protectionOf('app', lineage(plain('app', { login: true }), role), ROTATION_PROTECTION)?.rule).toBe('protected.member-of-protected');
  });

  it("rotation does not count a role whose privileges the admin holds: the new password goes to the bound secret, not to a caller", () => {
    const held = plain('app', { login: true, adminHolds: true });
    expect(protectionOf('app', lineage(held), actionProtection(NO_ROTATED_ROLES, []))?.rule).toBe('protected.admin-membership');
    expect(protectionOf('app', lineage(held), ROTATION_PROTECTION)).toBeUndefined();
    expect(protectionOf('app', lineage(plain('app', { login: true }), plain('owner', { adminHolds: true })), ROTATION_PROTECTION)).toBeUndefined();
  });

  it('rotation has no rotated roles and no policy: its own login and owner role are not refused for being rotated', () => {
    expect(ROTATION_PROTECTION.rotated).toBe(NO_ROTATED_ROLES);
    expect(ROTATION_PROTECTION.declared).toEqual([]);
  });
});

describe('the catalog query', () => {
  it('is one statement, with the names as a parameter, never in its text', () => {
    const names = ['alice', `x'"; DROP ROLE y; --`];
    const statement = protectionSql.lineage(names, 170000);
    expect(statement.values).toEqual([names]);
    expect(statement.text).not.toContain('alice');
    expect(statement.text).not.toContain('DROP ROLE');
  });

  it('counts only memberships with INHERIT or SET toward what the admin holds from 16 on, and every one before', () => {
    expect(protectionSql.lineage([], 160000).text).toContain('am.inherit_option OR am.set_option');
    expect(protectionSql.lineage([], 150000).text).not.toContain('inherit_option');
  });

  it('rows fold into one lineage per named role; a name without rows names no role', () => {
    const row = (role: string, name: string, self: boolean, direct = false) => ({ role, self, direct, comment: null, ...plain(name) });
    const lineages = lineagesFrom([row('a', 'a', true), row('a', 'g', false, true), row('a', 'h', false), row('b', 'b', true)]);
    expect([...lineages.keys()]).toEqual(['a', 'b']);
    expect(lineages.get('a')?.memberOf.map((m) => [m.name, m.direct])).toEqual([['g', true], ['h', false]]);
    expect(lineages.get('missing')).toBeUndefined();
  });
});
