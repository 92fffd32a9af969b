/**
 * Escalation attempts, as an orchestrator would make them, against an admin like RDS's master user (CREATEROLE, not
 * superuser, with ADMIN OPTION on the roles it could reach): under the widest policy a deployer could write, every
 * action on every kind of protected role is refused with ACTION_REFUSED naming the rule, in a dry run as in a real
 * one; the server received no change (its statement log), discovery and the password verifiers are as before, no
 * secret was written, and the audit record names the rule.
 */
import { randomUUID } from 'node:crypto';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier as q, escapeLiteral, Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PermissionPolicyInput } from '../../lambda/actions/permission-policy';
import type { ActionResponse } from '../../lambda/requests/envelope';
import { PERMISSIVE_POLICY } from '../support/permissive-policy';
import { logMark, uniqueName } from '../support/postgres';
import { ensureRole, expectRefused, snapshot } from './guard-support';
import type { ActionCall, Rig, Scenario } from './rig';
import { bindRotated, PASSWORD_PREFIX, scenario, startRig } from './rig';

const TEMPORARY = 'esc_tmp_';
/** Everything, everywhere, with ADMIN OPTION: only the always-protected roles can stand in an action's way. */
const WIDEST: PermissionPolicyInput = {
  ...PERMISSIVE_POLICY,
  temporaryUsers: { prefix: TEMPORARY, maxValidity: '366d', roles: ['*'] },
  protectedRoles: ['esc_declared_*', `${TEMPORARY}declared_*`],
};

let rig: Rig;
beforeAll(async () => {
  // As a deployment that binds secrets attached from other stacks by their pg-rotator:* tags.
  rig = await startRig({ PERMISSION_POLICY: JSON.stringify(WIDEST), PASSWORD_SECRET_PREFIX: PASSWORD_PREFIX, PROTECT_TAG_BOUND_ROLES: 'true' });
});
afterAll(async () => {
  await rig?.close();
});

interface Protected {
  readonly kind: string;
  readonly role: string;
  readonly rule: string;
  /**
   * Only these actions: for a kind whose rule every action already meets in another kind (a rotated login bound by
   * tags is checked exactly as one bound by the file), a sample keeps the suite short on every major.
   */
  readonly only?: readonly string[];
}

const SAMPLE = ['rotate-password', 'lock-user', 'drop-user', 'grant-role'];

interface World {
  readonly s: Scenario;
  /** An ordinary login and group the policy covers: the other side of each grant. */
  readonly user: string;
  readonly group: string;
  readonly roles: readonly Protected[];
}

/** On 16+, what a CREATEROLE admin holds on the roles it created: ADMIN OPTION, without their privileges. */
async function administers(s: Scenario, role: string): Promise<void> {
  if (s.majorVersion >= 16) await s.su(`GRANT ${q(role)} TO ${q(s.admin.name)} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
}

/** A login (or role) with these attributes, administered by the admin as on RDS, so PostgreSQL alone would allow most changes. */
async function role(s: Scenario, prefix: string, attributes = 'LOGIN'): Promise<string> {
  const name = uniqueName(prefix);
  await s.su(`CREATE ROLE ${q(name)} ${attributes} PASSWORD ${escapeLiteral(`Passw0rd-${name}`)}`);
  await administers(s, name);
  return name;
}

/** One of every kind of protected role, and the admin's reach over them. */
async function world(): Promise<World> {
  const s = await scenario(rig);
  await ensureRole(s, 'rds_superuser');
  for (const reachable of ['rds_superuser', 'pg_execute_server_program', 'pg_write_server_files']) await administers(s, reachable);
  const rdsDba = await role(s, 'esc_rds_dba');
  await s.su(`GRANT rds_superuser TO ${q(rdsDba)}`);
  const ops = await role(s, 'esc_ops', 'NOLOGIN');
  await s.su(`GRANT rds_superuser TO ${q(ops)}`);
  const deep = await role(s, 'esc_deep');
  await s.su(`GRANT ${q(ops)} TO ${q(deep)}`);
  const app = await role(s, 'esc_app');
  bindRotated(rig, { username: app });
  const fileOwner = await role(s, 'esc_file_owner', 'NOLOGIN');
  bindRotated(rig, { username: uniqueName('esc_file_owned'), ownerRole: fileOwner });
  // Bound only by the tags of a secret attached from another stack. Made before the suite's first action: the function
  // lists tag-bound secrets once per few minutes.
  const tagged = await role(s, 'esc_tagged');
  const owner = await role(s, 'esc_owner', 'NOLOGIN');
  await tagSecret(rig, { 'pg-rotator:strategy': 'admin', 'pg-rotator:username': tagged });
  await tagSecret(rig, { 'pg-rotator:strategy': 'alternating-owner', 'pg-rotator:username': uniqueName('esc_owned'), 'pg-rotator:owner-role': owner });
  return {
    s,
    user: await s.managedRole('esc_user'),
    group: await s.managedRole('esc_group', 'NOLOGIN'),
    roles: [
      { kind: 'the admin login itself', role: s.admin.name, rule: 'protected.admin-login' },
      { kind: "a role the admin holds (the schema's owner)", role: s.owner, rule: 'protected.admin-membership' },
      { kind: 'a superuser', role: await role(s, 'esc_super', 'LOGIN SUPERUSER'), rule: 'protected.superuser' },
      { kind: 'a CREATEROLE+BYPASSRLS login', role: await role(s, 'esc_dba', 'LOGIN CREATEROLE BYPASSRLS'), rule: 'protected.createrole' },
      { kind: 'a BYPASSRLS login', role: await role(s, 'esc_auditor', 'LOGIN BYPASSRLS'), rule: 'protected.bypassrls' },
      { kind: 'a REPLICATION login', role: await role(s, 'esc_replicator', 'LOGIN REPLICATION'), rule: 'protected.replication' },
      { kind: 'pg_execute_server_program', role: 'pg_execute_server_program', rule: 'protected.predefined' },
      { kind: 'pg_write_server_files', role: 'pg_write_server_files', rule: 'protected.predefined' },
      { kind: 'rds_superuser, made by the test', role: 'rds_superuser', rule: 'protected.managed-service-admin' },
      { kind: 'a member of rds_superuser', role: rdsDba, rule: 'protected.member-of-protected' },
      { kind: 'a group that is a member of rds_superuser', role: ops, rule: 'protected.member-of-protected' },
      { kind: 'a login reaching rds_superuser only through a group', role: deep, rule: 'protected.member-of-protected' },
      { kind: 'a login whose secret the deployment rotates', role: app, rule: 'protected.rotated-login' },
      { kind: 'the owner role of an alternating-owner secret the deployment rotates', role: fileOwner, rule: 'protected.owner-role' },
      { kind: 'a login bound only by the tags of its secret', role: tagged, rule: 'protected.rotated-login', only: SAMPLE },
      { kind: 'the owner role of an alternating-owner secret bound by tags', role: owner, rule: 'protected.owner-role', only: SAMPLE },
      { kind: "a role the policy's protectedRoles lists", role: await role(s, 'esc_declared'), rule: 'protected.declared' },
    ],
  };
}

/** A secret in the local Secrets Manager carrying pg-rotator:* tags, as another stack's RotationBindingTags writes them. */
async function tagSecret(r: Rig, tags: Record<string, string>): Promise<void> {
  await r.secrets.send(
    new CreateSecretCommand({ Name: uniqueName('tagged_secret'), SecretString: '{}', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
  );
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const secretName = () => `pg-rotator/${uniqueName('esc_secret')}`;

/** Every action, aimed at `target` wherever a request can name a role. */
function attempts(w: World, target: string): ActionCall[] {
  const schemaGrant = [{ on: 'schema' as const, schema: 'app', privileges: ['USAGE' as const], grantable: false, grantor: w.s.owner }];
  return [
    { action: 'rotate-password', params: { role: target, secretName: secretName() } },
    { action: 'restore-password', params: { role: target, secretName: secretName(), versionId: randomUUID() } },
    { action: 'create-read-only-user', params: { role: target, schemas: ['app'], secretName: secretName() } },
    { action: 'create-temporary-user', params: { role: target, validUntil: inAnHour(), memberOf: [w.group], secretName: secretName() } },
    { action: 'create-temporary-user', params: { role: uniqueName('esc_tmp'), validUntil: inAnHour(), memberOf: [w.group, target], secretName: secretName() } },
    { action: 'lock-user', params: { role: target, terminateSessions: true } },
    { action: 'unlock-user', params: { role: target } },
    { action: 'drop-user', params: { role: target, reassignOwnedTo: w.s.admin.name, terminateSessions: true } },
    { action: 'grant-role', params: { role: target, grantedRole: w.group } },
    { action: 'grant-role', params: { role: w.user, grantedRole: target, adminOption: true } },
    { action: 'revoke-role', params: { role: target, grantedRole: w.group } },
    { action: 'revoke-role', params: { role: w.user, grantedRole: target } },
    { action: 'revoke-all-privileges', params: { role: target, schema: 'app' } },
    { action: 'grant-privileges', params: { role: target, grants: schemaGrant } },
    { action: 'revoke-privileges', params: { role: target, grants: schemaGrant } },
  ] as ActionCall[];
}

const send = (w: World, call: ActionCall, dryRun: boolean) =>
  rig.rotator.action({ ...call, target: w.s.target, dryRun, caller: 'escalation suite' } as Parameters<Rig['rotator']['action']>[0]) as Promise<ActionResponse>;

describe('every action on every kind of protected role is refused, changes nothing, and the audit names the rule', () => {
  let shared: World | undefined;
  // The kinds world() makes, named here so that each is a test of its own; a kind it makes but this list misses fails.
  const kinds = [
    'the admin login itself',
    "a role the admin holds (the schema's owner)",
    'a superuser',
    'a CREATEROLE+BYPASSRLS login',
    'a BYPASSRLS login',
    'a REPLICATION login',
    'pg_execute_server_program',
    'pg_write_server_files',
    'rds_superuser, made by the test',
    'a member of rds_superuser',
    'a group that is a member of rds_superuser',
    'a login reaching rds_superuser only through a group',
    'a login whose secret the deployment rotates',
    'the owner role of an alternating-owner secret the deployment rotates',
    'a login bound only by the tags of its secret',
    'the owner role of an alternating-owner secret bound by tags',
    "a role the policy's protectedRoles lists",
  ];

  it('covers every kind of protected role the world makes', async () => {
    shared ??= await world();
    expect(shared.roles.map((r) => r.kind)).toEqual(kinds);
  });

  it.each(kinds)('%s', async (kind) => {
    shared ??= await world();
    const w = shared;
    const target = w.roles.find((r) => r.kind === kind) as Protected;
    const watched = [...new Set([target.role, w.user, w.group, w.s.admin.name, w.s.owner])];
    const before = await snapshot(w.s, watched);
    const mark = await logMark();
    const calls = attempts(w, target.role).filter((call) => target.only === undefined || target.only.includes(call.action));

    for (const call of calls) {
      for (const dryRun of [true, false]) {
        const response = await send(w, call, dryRun);
        expectRefused(rig, response, target.rule, `${call.action} ${JSON.stringify(call.params)} dryRun=${dryRun}`);
        expect(response.rollback).toBeNull();
      }
    }

    expect(await w.s.changesSince(mark)).toEqual([]);
    expect(await snapshot(w.s, watched)).toEqual(before);
    for (const call of calls) {
      if ('secretName' in call.params) expect(await w.s.secretValue(call.params.secretName)).toBeUndefined();
    }
  });
});

describe('expire-temporary-users drops no protected role, however it is marked', () => {
  it('skips every protected "temporary user" whose time has passed, naming its rule, and drops the ordinary one', async () => {
    const s = await scenario(rig);
    await ensureRole(s, 'rds_superuser');
    const ops = await role(s, 'esc_ops', 'NOLOGIN');
    await s.su(`GRANT rds_superuser TO ${q(ops)}`);
    const past = new Date(Date.now() - 60_000).toISOString();
    const marked = async (suffix: string, attributes = 'LOGIN', after?: (name: string) => string): Promise<string> => {
      const name = await role(s, `${TEMPORARY}${suffix}`, `${attributes} VALID UNTIL ${escapeLiteral(past)}`);
      await s.su(`COMMENT ON ROLE ${q(name)} IS 'pg-rotator:temporary-user'`);
      if (after) await s.su(after(name));
      return name;
    };
    const expected: Record<string, string> = {
      [await marked('super', 'LOGIN SUPERUSER')]: 'protected.superuser',
      [await marked('dba', 'LOGIN CREATEROLE BYPASSRLS')]: 'protected.createrole',
      [await marked('auditor', 'LOGIN BYPASSRLS')]: 'protected.bypassrls',
      [await marked('replicator', 'LOGIN REPLICATION')]: 'protected.replication',
      [await marked('rds', 'LOGIN', (n) => `GRANT rds_superuser TO ${q(n)}`)]: 'protected.member-of-protected',
      [await marked('deep', 'LOGIN', (n) => `GRANT ${q(ops)} TO ${q(n)}`)]: 'protected.member-of-protected',
      [await marked('held', 'NOLOGIN', (n) => `GRANT ${q(n)} TO ${q(s.admin.name)}${s.majorVersion >= 16 ? ' WITH INHERIT TRUE' : ''}`)]: 'protected.admin-membership',
      [await marked('declared')]: 'protected.declared',
    };
    const app = await marked('app');
    bindRotated(rig, { username: app });
    expected[app] = 'protected.rotated-login';
    const ordinary = await marked('plain');
    const watched = Object.keys(expected);
    const before = await snapshot(s, watched);

    const dry = await rig.rotator.action({ action: 'expire-temporary-users', target: s.target, params: {}, dryRun: true });
    const mark = await logMark();
    const real = await rig.rotator.action({ action: 'expire-temporary-users', target: s.target, params: {} });

    for (const response of [dry, real]) {
      expect(response.error).toBeNull();
      const skipped = (response.result?.skipped ?? []).filter((entry) => entry.role in expected);
      expect(Object.fromEntries(skipped.map((entry) => [entry.role, entry.rule]))).toEqual(expected);
      expect(response.result?.dropped).toContain(ordinary);
      expect(response.result?.dropped?.filter((name) => name in expected)).toEqual([]);
    }
    expect(await s.changesSince(mark)).toEqual(real.result?.sql);
    expect(real.result?.sql.filter((statement) => Object.keys(expected).some((name) => statement.includes(name)))).toEqual([]);
    expect(await snapshot(s, watched)).toEqual(before);
  });
});

describe("the attempts that motivated the guard, with an admin like RDS's (CREATEROLE, not superuser)", () => {
  /** PostgreSQL itself lets the admin do it: what refuses the request is pg-rotator, not the server. */
  async function serverWouldAllow(s: Scenario, sql: string): Promise<void> {
    const admin = new Client(s.db.config({ user: s.admin.name, password: s.admin.password }));
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query(sql);
    } finally {
      await admin.query('ROLLBACK').catch(() => undefined);
      await admin.end();
    }
  }

  it('granting a CREATEROLE+BYPASSRLS role, rds_superuser, pg_execute_server_program, pg_write_server_files or the admin\'s own role to a login', async () => {
    const s = await scenario(rig);
    await ensureRole(s, 'rds_superuser');
    for (const reachable of ['rds_superuser', 'pg_execute_server_program', 'pg_write_server_files']) await administers(s, reachable);
    const dba = await role(s, 'esc_dba', 'NOLOGIN CREATEROLE BYPASSRLS');
    const login = await s.managedRole('esc_user');
    const before = await snapshot(s, [login, dba]);

    for (const [granted, rule] of [
      [dba, 'protected.createrole'],
      ['rds_superuser', 'protected.managed-service-admin'],
      ['pg_execute_server_program', 'protected.predefined'],
      ['pg_write_server_files', 'protected.predefined'],
      [s.owner, 'protected.admin-membership'],
    ] as const) {
      if (granted !== s.owner) await serverWouldAllow(s, `GRANT ${q(granted)} TO ${q(login)}`);
      const response = await rig.rotator.action({ action: 'grant-role', target: s.target, params: { role: login, grantedRole: granted } });
      expectRefused(rig, response, rule, granted);
      expect(response.error?.message).toContain(`granting it would make "${login}" a member of a protected role`);
    }
    expect(await snapshot(s, [login, dba])).toEqual(before);
  });

  it("rotating a CREATEROLE+BYPASSRLS login's password into pg-rotator/…, which the orchestrator could then read", async () => {
    const s = await scenario(rig);
    const dba = await role(s, 'esc_dba', 'LOGIN CREATEROLE BYPASSRLS');
    await serverWouldAllow(s, `ALTER ROLE ${q(dba)} PASSWORD 'taken-over'`);
    const before = await snapshot(s, [dba]);
    const name = `pg-rotator/${uniqueName('dba')}`;

    const response = await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role: dba, secretName: name, revealPassword: true } });

    expectRefused(rig, response, 'protected.createrole');
    expect(await s.secretValue(name)).toBeUndefined();
    expect(await snapshot(s, [dba])).toEqual(before);
  });

  it('locking or dropping that login, a DBA, or a login Secrets Manager rotates', async () => {
    const s = await scenario(rig);
    const dba = await role(s, 'esc_dba', 'LOGIN CREATEROLE BYPASSRLS');
    const app = await role(s, 'esc_app');
    bindRotated(rig, { username: app });
    await serverWouldAllow(s, `ALTER ROLE ${q(dba)} NOLOGIN`);
    await serverWouldAllow(s, `DROP ROLE ${q(app)}`);
    const before = await snapshot(s, [dba, app]);

    for (const [target, rule] of [[dba, 'protected.createrole'], [app, 'protected.rotated-login']] as const) {
      expectRefused(rig, await rig.rotator.action({ action: 'lock-user', target: s.target, params: { role: target, terminateSessions: true } }), rule);
      expectRefused(rig, await rig.rotator.action({ action: 'drop-user', target: s.target, params: { role: target } }), rule);
    }
    expect(await snapshot(s, [dba, app])).toEqual(before);
  });

  it('creating a temporary user that is a member of a CREATEROLE+BYPASSRLS role, or that outlives maxValidity (366d here)', async () => {
    const s = await scenario(rig);
    const dba = await role(s, 'esc_dba', 'NOLOGIN CREATEROLE BYPASSRLS');
    const readers = await s.managedRole('esc_readers', 'NOLOGIN');
    const name = uniqueName('esc_tmp');
    await serverWouldAllow(s, `CREATE ROLE ${q(name)} LOGIN; GRANT ${q(dba)} TO ${q(name)}`);

    const member = await rig.rotator.action({
      action: 'create-temporary-user',
      target: s.target,
      params: { role: name, validUntil: inAnHour(), memberOf: [readers, dba], secretName: secretName() },
    });
    expectRefused(rig, member, 'protected.createrole');

    const forever = await rig.rotator.action({
      action: 'create-temporary-user',
      target: s.target,
      params: { role: name, validUntil: new Date(Date.now() + 400 * 86_400_000).toISOString(), memberOf: [readers], secretName: secretName() },
    });
    expectRefused(rig, forever, 'policy.temporary-user-validity');
    expect((await s.discover([name])).roles).toEqual([]);
  });
});
