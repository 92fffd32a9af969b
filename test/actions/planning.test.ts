import { describe, expect, it } from 'vitest';
import { LOCK_NAMESPACE, lockKeys, roleLockKey } from '../../lambda/actions/advisory-lock';
import { dropStatements, dropUser } from '../../lambda/actions/drop-user';
import type { Grant } from '../../lambda/actions/grants';
import { compareGrants, grantStatements, groupGrants, revokeGrantOptionStatements, revokeStatements } from '../../lambda/actions/grants';
import { recordedGrantor, recordedGrants, recordsAsSessionUser } from '../../lambda/actions/grant-authority';
import { lockUser } from '../../lambda/actions/lock-user';
import { revokeRole } from '../../lambda/actions/role-membership';
import { parameterized, withPassword } from '../../lambda/actions/planned-statement';
import { roleStatements } from '../../lambda/actions/role-statements';
import { expireTemporaryUsers } from '../../lambda/actions/temporary-users';
import type { DependentRow, GrantAuthorityRow, PrivilegeRow, RoleFacts, SessionFacts } from '../../lambda/catalog/catalog';
import { adminChecklist } from '../../lambda/checks/admin-checklist';
import { ActionRefusedError, DependentObjectsError, RoleNotFoundError } from '../../lambda/errors';
import { callerOf } from '../../lambda/requests/caller';
import { errorInfo } from '../../lambda/requests/error-info';

const facts: SessionFacts = { currentUser: 'admin', database: 'app_db', versionNum: 170000, version: '17.0', superuser: false, serverNow: new Date('2030-01-01T00:00:00Z') };
const role = (name: string, extra: Partial<RoleFacts> = {}): RoleFacts => ({
  name,
  oid: '16384',
  login: true,
  superuser: false,
  createrole: false,
  createdb: false,
  replication: false,
  bypassrls: false,
  inherit: true,
  connectionLimit: -1,
  validUntil: null,
  comment: null,
  ...extra,
});
const row = (extra: Partial<PrivilegeRow>): PrivilegeRow => ({
  on: 'table',
  schema: 'app',
  name: 't',
  column: null,
  arguments: null,
  forRole: null,
  objects: null,
  grantee: 'r',
  grantor: 'owner',
  privilege: 'SELECT',
  grantable: false,
  ...extra,
});
const plan = <P, S>(module: { plan: (input: never) => unknown }, params: P, state: S, now = new Date('2030-01-01T00:00:00Z')) =>
  (module.plan as (input: unknown) => ReturnType<typeof lockUser.plan>)({ params, state, facts, now, secretBase: {}, verifier: () => 'v' });

describe('statements', () => {
  it('show a password verifier redacted and parameters as the literals they stand for', () => {
    expect(withPassword('ALTER ROLE "a"', 'SCRAM-SHA-256$4096:s$k:k')).toEqual({
      text: `ALTER ROLE "a" PASSWORD 'SCRAM-SHA-256$4096:s$k:k'`,
      shown: `ALTER ROLE "a" PASSWORD '[redacted]'`,
    });
    expect(parameterized('SELECT $1, $2', ["o'k", 'x']).shown).toBe("SELECT 'o''k', 'x'");
  });

  it('write membership options per server version', () => {
    expect(roleStatements.grantRole('g', 'm', { admin: true }, 150000).text).toBe('GRANT "g" TO "m" WITH ADMIN OPTION');
    expect(roleStatements.grantRole('g', 'm', { inherit: false, set: true }, 150000).text).toBe('GRANT "g" TO "m"');
    expect(roleStatements.grantRole('g', 'm', { admin: false, inherit: false, set: true }, 160000, 'boss').text).toBe(
      'GRANT "g" TO "m" WITH ADMIN FALSE, INHERIT FALSE, SET TRUE GRANTED BY "boss"',
    );
  });
});

describe('grants', () => {
  const rows = [
    row({ privilege: 'INSERT', grantable: true }),
    row({ privilege: 'SELECT', grantable: true }),
    row({ on: 'schema', name: null, privilege: 'USAGE' }),
    row({ name: 'log', grantor: 'lead' }),
    row({ on: 'function', name: 'f', arguments: 'a integer', privilege: 'EXECUTE' }),
    row({ on: 'default', name: null, forRole: 'owner', objects: 'tables', grantor: 'owner' }),
  ];

  it('fold catalog rows into grants in a stable order, whatever order the rows came in', () => {
    const grants = groupGrants(rows);
    expect(groupGrants([...rows].reverse())).toEqual(grants);
    expect(grants).toEqual([
      { on: 'schema', schema: 'app', privileges: ['USAGE'], grantable: false, grantor: 'owner' },
      { on: 'table', schema: 'app', name: 'log', privileges: ['SELECT'], grantable: false, grantor: 'lead' },
      { on: 'table', schema: 'app', name: 't', privileges: ['SELECT', 'INSERT'], grantable: true, grantor: 'owner' },
      { on: 'function', schema: 'app', name: 'f', arguments: 'a integer', privileges: ['EXECUTE'], grantable: false, grantor: 'owner' },
      { on: 'default', schema: 'app', forRole: 'owner', objects: 'tables', privileges: ['SELECT'], grantable: false },
    ]);
  });

  it('revoke and re-grant each grant as its grantor, the session user\'s first', () => {
    const grants = groupGrants(rows);
    expect(revokeStatements('r', grants, 'owner').map((s) => s.text)).toEqual([
      'REVOKE USAGE ON SCHEMA "app" FROM "r"',
      'REVOKE SELECT, INSERT ON TABLE "app"."t" FROM "r"',
      'REVOKE EXECUTE ON ROUTINE "app"."f"(a integer) FROM "r"',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "app" REVOKE SELECT ON TABLES FROM "r"',
      'SET ROLE "lead"',
      'REVOKE SELECT ON TABLE "app"."log" FROM "r"',
      'RESET ROLE',
    ]);
    expect(grantStatements('r', grants, 'owner').map((s) => s.text)).toContain('GRANT SELECT, INSERT ON TABLE "app"."t" TO "r" WITH GRANT OPTION');
  });

  it('tell what a role lacks from what it holds', () => {
    const held: Grant[] = [{ on: 'table', schema: 'app', name: 't', privileges: ['SELECT'], grantable: false, grantor: 'owner' }];
    const wanted: Grant[] = [{ on: 'table', schema: 'app', name: 't', privileges: ['SELECT', 'UPDATE'], grantable: false, grantor: 'owner' }];
    expect(compareGrants(wanted, held)).toEqual({
      missing: [{ on: 'table', schema: 'app', name: 't', privileges: ['UPDATE'], grantable: false, grantor: 'owner' }],
      present: held,
      optionMissing: [],
      optionPresent: [],
    });
  });

  it('tell a grant option a role lacks on a privilege it holds, and one it holds', () => {
    const t = { on: 'table', schema: 'app', name: 't', grantor: 'owner' } as const;
    const held: Grant[] = [{ ...t, privileges: ['SELECT'], grantable: false }, { ...t, privileges: ['INSERT'], grantable: true }];
    const wanted: Grant[] = [{ ...t, privileges: ['SELECT', 'INSERT', 'UPDATE'], grantable: true }];
    expect(compareGrants(wanted, held)).toEqual({
      missing: [{ ...t, privileges: ['UPDATE'], grantable: true }],
      present: held,
      optionMissing: [{ ...t, privileges: ['SELECT'], grantable: true }],
      optionPresent: [{ ...t, privileges: ['INSERT'], grantable: true }],
    });
  });

  it('revoke a grant option alone with REVOKE GRANT OPTION FOR, as its grantor', () => {
    const grants: Grant[] = [{ on: 'table', schema: 'app', name: 't', privileges: ['SELECT'], grantable: true, grantor: 'lead' }];
    expect(revokeGrantOptionStatements('r', grants, 'admin').map((s) => s.text)).toEqual([
      'SET ROLE "lead"',
      'REVOKE GRANT OPTION FOR SELECT ON TABLE "app"."t" FROM "r"',
      'RESET ROLE',
    ]);
  });

  it('write column privileges with their column', () => {
    const grants: Grant[] = [{ on: 'column', schema: 'app', name: 't', column: 'e"mail', privileges: ['SELECT', 'UPDATE'], grantable: false, grantor: 'admin' }];
    expect(grantStatements('r', grants, 'admin').map((s) => s.text)).toEqual(['GRANT SELECT ("e""mail"), UPDATE ("e""mail") ON TABLE "app"."t" TO "r"']);
  });
});

describe('the grantor PostgreSQL records (select_best_grantor)', () => {
  const grant = (grantor: string, privileges: Grant['privileges'] = ['SELECT', 'UPDATE']) =>
    ({ on: 'table', schema: 'app', name: 't', privileges, grantable: false, grantor }) as const;
  const authority = (extra: Partial<GrantAuthorityRow> = {}): GrantAuthorityRow => ({
    owner: 'owner',
    actorExists: true,
    actorIsOwnerOrSuperuser: false,
    actorHasSchemaUsage: true,
    actsAsOwner: false,
    optionHolders: [],
    ...extra,
  });
  const holds = (role: string, ...privileges: string[]) => privileges.map((privilege) => ({ role, privilege }));

  it('is the owner for a superuser or the owner, and for a member of the owner holding no option itself', () => {
    expect(recordedGrantor(grant('admin'), authority({ actorIsOwnerOrSuperuser: true }))).toEqual({ grantor: 'owner' });
    expect(recordedGrantor(grant('admin'), authority({ actsAsOwner: true, optionHolders: holds('admin', 'SELECT') }))).toEqual({ grantor: 'owner' });
  });

  it('is the issuing role when it holds every needed option itself, even as a member of the owner', () => {
    expect(recordedGrantor(grant('admin'), authority({ actsAsOwner: true, optionHolders: holds('admin', 'SELECT', 'UPDATE') }))).toEqual({ grantor: 'admin' });
  });

  it('is the one role the issuer inherits every needed option from', () => {
    expect(recordedGrantor(grant('admin'), authority({ optionHolders: [...holds('lead', 'SELECT', 'UPDATE'), ...holds('clerk', 'SELECT')] }))).toEqual({ grantor: 'lead' });
  });

  it('splits a grant by the grantor each privilege would record, and runs as the admin only where that records the same', () => {
    const mixed = authority({ actsAsOwner: true, optionHolders: holds('admin', 'SELECT') });
    expect(recordedGrants(grant('admin'), mixed)).toEqual({ grants: [grant('admin', ['SELECT']), { ...grant('admin', ['UPDATE']), grantor: 'owner' }], refusal: undefined });
    expect(recordsAsSessionUser({ ...grant('owner'), privileges: ['UPDATE'] }, mixed, 'admin')).toBe(true);
    expect(recordsAsSessionUser({ ...grant('owner'), privileges: ['SELECT'] }, mixed, 'admin')).toBe(false);
    expect(recordsAsSessionUser({ ...grant('owner'), privileges: ['UPDATE'] }, { ...mixed, actorHasSchemaUsage: false }, 'admin')).toBe(false);
    const halfRefused = recordedGrants(grant('admin'), authority({ optionHolders: holds('admin', 'SELECT') }));
    expect(halfRefused.grants).toEqual([grant('admin', ['SELECT', 'UPDATE'])]);
    expect(halfRefused.refusal).toMatchObject({ field: 'grantor', problem: expect.stringContaining('no grant option for UPDATE') });
  });

  it('refuses, naming the field, where PostgreSQL would only warn or would pick by membership order', () => {
    expect(recordedGrantor(grant('admin'), authority({ optionHolders: holds('lead', 'SELECT') }))).toEqual({
      field: 'grantor',
      problem: '"admin" holds no grant option for SELECT, UPDATE on table "app"."t": PostgreSQL would grant nothing it lacks and only warn',
    });
    expect(recordedGrantor(grant('admin', ['SELECT']), authority({ actsAsOwner: true, optionHolders: holds('lead', 'SELECT') }))).toMatchObject({
      field: 'grantor',
      problem: expect.stringContaining('only through "owner", "lead"'),
    });
    expect(recordedGrantor(grant('admin'), authority({ owner: undefined }))).toEqual({ field: 'name', problem: 'names no table "app"."t"' });
    expect(recordedGrantor(grant('gone'), authority({ actorExists: false }))).toEqual({ field: 'grantor', problem: 'names no role "gone" in this cluster' });
  });
});

describe('plans', () => {
  it('lock-user: locking a NOLOGIN role is a no-op without rollback; the admin itself is refused; a missing role is named', () => {
    expect(plan(lockUser, { role: 'a', terminateSessions: false }, { role: role('a', { login: false }) })).toMatchObject({ changed: false, statements: [], rollback: null });
    expect(() => plan(lockUser, { role: 'admin', terminateSessions: false }, { role: role('admin') })).toThrow(ActionRefusedError);
    expect(() => plan(lockUser, { role: 'gone', terminateSessions: false }, { role: undefined })).toThrow(RoleNotFoundError);
  });

  it('drop-user: lists what depends on the role, refuses other databases, and joins the role when REASSIGN needs it', () => {
    const dependents: DependentRow[] = [
      { database: 'app_db', here: true, kind: 'o', object: 'table app.t' },
      { database: null, here: true, kind: 'a', object: 'database app_db' },
    ];
    const state = { role: role('u'), dependents, runsAsOwner: [], adminHasPrivileges: false };
    const refusal = (() => {
      try {
        dropStatements(state, 'u', undefined, facts);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(DependentObjectsError);
    expect((refusal as DependentObjectsError).dependents).toEqual(['owns table app.t', 'holds privileges on database app_db']);
    expect(dropStatements(state, 'u', 'heir', facts).map((s) => s.text)).toEqual([
      'GRANT "u" TO "admin" WITH INHERIT TRUE',
      'REASSIGN OWNED BY "u" TO "heir"',
      'DROP OWNED BY "u"',
      'DROP ROLE "u"',
    ]);
    const elsewhere = { ...state, dependents: [{ database: 'other', here: false, kind: 'o', object: null }] };
    expect(() => dropStatements(elsewhere, 'u', 'heir', facts)).toThrow(/database\(s\) "other"/);
    const armed = { ...state, runsAsOwner: ['function app.f() (SECURITY DEFINER)'] };
    expect(() => dropStatements(armed, 'u', 'heir', facts)).toThrow(
      expect.objectContaining({ rule: 'reassign.runs-as-owner', message: expect.stringContaining('function app.f() (SECURITY DEFINER)') }),
    );
  });

  it("revoke-role's rollback names only a grantor the admin may name: a live one, and before 16 only as a superuser", () => {
    const state = (grantor: string) => ({
      roles: [role('m'), role('g', { login: false })],
      grants: [{ role: 'g', member: 'm', grantor, admin: false, inherit: null, set: null }],
    });
    const params = { role: 'm', grantedRole: 'g' };
    const on = (versionNum: number, superuser = false) => (grantor: string) =>
      (revokeRole.plan as (input: unknown) => ReturnType<typeof revokeRole.plan>)({ params, state: state(grantor), facts: { ...facts, versionNum, superuser }, now: new Date(), secretBase: {}, verifier: () => 'v' });
    expect(on(170000)('lead').rollback).toMatchObject({ params: { grantedBy: 'lead' } });
    expect(on(150000, true)('lead').rollback).toMatchObject({ params: { grantedBy: 'lead' } });
    const before16 = on(150000)('lead');
    expect(before16.rollback?.params).not.toHaveProperty('grantedBy');
    expect(before16.report?.notes).toEqual(['the rollback grants it as "admin", not "lead": before PostgreSQL 16, only a superuser may name another grantor (GRANTED BY)']);
    const dropped = on(170000)('unknown (OID=16999)');
    expect(dropped.rollback?.params).not.toHaveProperty('grantedBy');
    expect(dropped.report?.notes?.[0]).toContain('the role that granted it no longer exists');
  });

  it("drop-user deletes only the dropped role's own password secret", () => {
    const state = (username: string | undefined) => ({
      role: role('tmp_x'),
      dependents: [],
      runsAsOwner: [],
      adminHasPrivileges: true,
      reassignTarget: undefined,
      adminHasTargetPrivileges: false,
      secret: { exists: true, arn: 'arn:s', currentVersionId: 'v1', ...(username === undefined ? {} : { currentValue: { username } }) },
    });
    const params = { role: 'tmp_x', terminateSessions: false, deleteSecretName: 'pg-rotator/s' };
    expect(plan(dropUser, params, state('tmp_x')).secret).toEqual({ kind: 'delete', secretId: 'arn:s' });
    for (const other of ['app_ro', undefined]) {
      expect(() => plan(dropUser, params, state(other))).toThrow(expect.objectContaining({ code: 'ACTION_REFUSED', message: expect.stringMatching(/^deleteSecretName: secret arn:s holds no password of role "tmp_x"/) }));
    }
  });

  it('expire-temporary-users: drops only marked roles whose time has passed, and skips those with dependents or refused by the guard', () => {
    const marked = (name: string, validUntil: string, dependents: DependentRow[] = []) => ({
      role: role(name, { validUntil, comment: 'pg-rotator:temporary-user' }),
      dependents,
      runsAsOwner: [],
      adminHasPrivileges: true,
    });
    const result = plan(expireTemporaryUsers, { terminateSessions: true }, {
      candidates: [
        marked('old', '2029-12-31T23:59:59.000Z'),
        marked('busy', '2029-01-01T00:00:00.000Z', [{ database: 'app_db', here: true, kind: 'o', object: 'table app.t' }]),
        marked('fresh', '2030-06-01T00:00:00.000Z'),
        marked('forever', 'infinity'),
        marked('dba', '2029-01-01T00:00:00.000Z'),
        marked('theirs', '2029-01-01T00:00:00.000Z'),
      ],
      busy: [{ role: 'held', holder: 'pid 4242 (role "held")' }],
      foreign: ['theirs'],
      refused: new Map([['dba', { rule: 'protected.superuser', message: 'role "dba" is a superuser' }]]),
    });
    expect(result.statements.map((s) => s.text)).toEqual(['DROP ROLE "old"']);
    expect(result.report).toMatchObject({
      dropped: ['old'],
      skipped: [{ role: 'held', reason: expect.stringContaining('another session holds its advisory lock for pg-rotator\'s actions: pid 4242 (role "held")') }, { role: 'dba', rule: 'protected.superuser' }, { role: 'theirs', reason: expect.stringContaining('holds no ADMIN OPTION on it') }, { role: 'busy' }],
    });
    expect(result.afterCommit).toHaveLength(2);

    // With reassignOwnedTo, a user whose objects would run as the recipient is skipped with the rule, the rest dropped.
    const owns = [{ database: 'app_db', here: true, kind: 'o', object: 'function app.f()' }];
    const handedOver = plan(expireTemporaryUsers, { terminateSessions: false, reassignOwnedTo: 'heir' }, {
      candidates: [marked('busy', '2029-01-01T00:00:00.000Z', owns), { ...marked('armed', '2029-01-01T00:00:00.000Z', owns), runsAsOwner: ['function app.f() (SECURITY DEFINER)'] }],
      busy: [],
      foreign: [],
      refused: new Map(),
    });
    expect(handedOver.report).toMatchObject({ dropped: ['busy'], skipped: [{ role: 'armed', rule: 'reassign.runs-as-owner' }] });
    expect(handedOver.statements.map((s) => s.text)).toContain('REASSIGN OWNED BY "busy" TO "heir"');
  });
});

describe('admin checklist', () => {
  const base = {
    admin: 'ad"min',
    versionNum: 160000,
    superuser: false,
    createrole: true,
    signalBackend: false,
    database: { name: 'db', canGrantConnect: true },
    roles: [{ name: 'app', exists: true, superuser: false, adminOption: false }],
    schemas: [{ name: 'app', exists: true, ownersWithoutPrivileges: ['owner', 'etl'] }],
  };

  it('names each missing privilege with the SQL that grants it', () => {
    const failing = adminChecklist(base).filter((item) => !item.ok);
    expect(failing.map((item) => [item.id, item.fix])).toEqual([
      ['pg_signal_backend', 'GRANT pg_signal_backend TO "ad""min"'],
      ['admin-option:app', 'GRANT "app" TO "ad""min" WITH ADMIN TRUE, INHERIT FALSE, SET FALSE'],
      ['schema-owners:app', 'GRANT "owner" TO "ad""min"; GRANT "etl" TO "ad""min"'],
    ]);
  });

  it('needs no ADMIN OPTION before 16, where CREATEROLE manages every non-superuser; a superuser needs nothing', () => {
    expect(adminChecklist({ ...base, versionNum: 150000 }).find((item) => item.id.endsWith(':app') && item.id !== 'schema-owners:app')).toMatchObject({ id: 'manageable:app', ok: true });
    expect(adminChecklist({ ...base, superuser: true }).every((item) => item.ok)).toBe(true);
  });
});

describe('advisory locks', () => {
  it('key a role by a fixed namespace and a stable hash, and take several in one global order', () => {
    expect(roleLockKey('app')).toEqual(roleLockKey('app'));
    expect(roleLockKey('app')[0]).toBe(LOCK_NAMESPACE);
    expect(roleLockKey('app')).not.toEqual(roleLockKey('App'));
    const one = lockKeys(['b', 'a', 'b']);
    expect(one).toHaveLength(2);
    expect(lockKeys(['a', 'b'])).toEqual(one);
  });
});

describe('the envelope', () => {
  it('takes the caller from the request, then the client context', () => {
    expect(callerOf('ticket-1', { clientContext: { custom: { caller: 'ci' } } })).toBe('ticket-1');
    expect(callerOf(undefined, { clientContext: { custom: { caller: 'ci' } } })).toBe('ci');
    expect(callerOf(undefined, { clientContext: { custom: { caller: 42 } } })).toBe('unknown');
  });

  it("reports a foreign error as INTERNAL without its message, which is not ours to vouch for", () => {
    expect(errorInfo(new Error('password=hunter2 rejected'))).toEqual({ code: 'INTERNAL', message: 'unexpected error; see the function log for its name' });
  });
});
