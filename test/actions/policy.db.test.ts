/**
 * The permission policy as a deployment runs it, on the real server: no policy (only dry runs, test and discover
 * run), and a policy that covers roles by membership of a marker role, read from the catalog when each action runs.
 */
import { escapeIdentifier as q } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_POLICY_DRY_RUN_NOTE } from '../../lambda/actions/action-runner';
import type { PermissionPolicyInput } from '../../lambda/actions/permission-policy';
import { logMark, uniqueName } from '../support/postgres';
import { auditOf, expectRefused, snapshot } from './guard-support';
import type { Rig } from './rig';
import { PASSWORD_PREFIX, scenario, startRig } from './rig';

describe('without a permission policy', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ PERMISSION_POLICY: '' });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('refuses every real action, saying how to declare a policy, and changes nothing', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('np_app');
    const before = await snapshot(s, [role]);
    const mark = await logMark();

    for (const call of [
      { action: 'lock-user' as const, params: { role } },
      { action: 'rotate-password' as const, params: { role, secretName: `np/${uniqueName('s')}` } },
    ]) {
      const response = await rig.rotator.action({ ...call, target: s.target });
      expectRefused(rig, response, 'policy.not-configured', call.action);
      expect(response.error?.message).toContain('orchestration.policy');
      expect(response.error?.message).toContain('PERMISSION_POLICY');
    }

    expect(await s.changesSince(mark)).toEqual([]);
    expect(await snapshot(s, [role])).toEqual(before);
  });

  it('still runs dry runs, which say that a real run would be refused, and still refuses protected roles', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('np_app');

    const dry = await rig.rotator.action({ action: 'lock-user', target: s.target, params: { role }, dryRun: true });
    expect(dry).toMatchObject({ ok: true, result: { dryRun: true, sql: [`ALTER ROLE "${role}" NOLOGIN`], notes: [NO_POLICY_DRY_RUN_NOTE] } });

    const dba = await s.managedRole('np_dba', 'LOGIN CREATEROLE');
    expectRefused(rig, await rig.rotator.action({ action: 'lock-user', target: s.target, params: { role: dba }, dryRun: true }), 'protected.createrole');
  });

  it('still answers test and discover requests', async () => {
    const s = await scenario(rig);
    expect((await rig.rotator.test({ secretArn: s.adminSecretArn })).ok).toBe(true);
    expect((await rig.rotator.discover({ target: s.target, roles: [s.owner] })).ok).toBe(true);
  });
});

describe('a policy that covers the members of a marker role', () => {
  const marker = uniqueName('pol_managed');
  const readers = uniqueName('pol_readers');
  const prefix = `${uniqueName('pol_tmp')}_`;
  const policy: PermissionPolicyInput = {
    actions: ['lock-user', 'unlock-user', 'grant-role', 'revoke-role', 'create-temporary-user'],
    roles: { memberOf: marker },
    grants: [{ role: readers }],
    temporaryUsers: { prefix, maxValidity: '1h', roles: [readers] },
  };
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ PERMISSION_POLICY: JSON.stringify(policy), PASSWORD_SECRET_PREFIX: PASSWORD_PREFIX });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('acts on a member of the marker, directly or through a group, as the catalog says when the action runs', async () => {
    const s = await scenario(rig);
    await s.su(`DO $$ BEGIN CREATE ROLE ${q(marker)} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    const [direct, viaGroup, outsider, team] = [await s.managedRole('pol_a'), await s.managedRole('pol_b'), await s.managedRole('pol_c'), await s.managedRole('pol_team', 'NOLOGIN')];
    await s.su(`GRANT ${q(marker)} TO ${q(direct)}, ${q(team)}; GRANT ${q(team)} TO ${q(viaGroup)}`);

    for (const role of [direct, viaGroup]) expect(await rig.rotator.action({ action: 'lock-user', target: s.target, params: { role } })).toMatchObject({ ok: true, result: { changed: true } });

    const refused = await rig.rotator.action({ action: 'lock-user', target: s.target, params: { role: outsider } });
    expectRefused(rig, refused, 'policy.target-not-managed');
    expect(refused.error?.message).toContain(`is not a member of "${marker}"`);

    // Membership is read when the action runs: once the deployer marks the role, the same request runs.
    await s.su(`GRANT ${q(marker)} TO ${q(outsider)}`);
    expect(await rig.rotator.action({ action: 'lock-user', target: s.target, params: { role: outsider } })).toMatchObject({ ok: true });
  });

  it('grants only the listed role, without ADMIN OPTION, never the marker; refuses disabled actions, dry run or not', async () => {
    const s = await scenario(rig);
    await s.su(`DO $$ BEGIN CREATE ROLE ${q(marker)} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    await s.su(`DO $$ BEGIN CREATE ROLE ${q(readers)} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    if (s.majorVersion >= 16) await s.su(`GRANT ${q(readers)}, ${q(marker)} TO ${q(s.admin.name)} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
    const [member, other] = [await s.managedRole('pol_member'), await s.managedRole('pol_other', 'NOLOGIN')];
    await s.su(`GRANT ${q(marker)} TO ${q(member)}`);
    const before = await snapshot(s, [member, other]);
    const mark = await logMark();

    const grant = (grantedRole: string, adminOption = false, dryRun = false) =>
      rig.rotator.action({ action: 'grant-role', target: s.target, params: { role: member, grantedRole, adminOption }, dryRun });
    expectRefused(rig, await grant(other), 'policy.grant-not-allowed');
    expectRefused(rig, await grant(readers, true), 'policy.admin-option-not-allowed');
    expectRefused(rig, await grant(marker), 'policy.grant-not-allowed');
    for (const dryRun of [true, false]) {
      const drop = await rig.rotator.action({ action: 'drop-user', target: s.target, params: { role: member }, dryRun });
      expectRefused(rig, drop, 'policy.action-disabled');
      expect(auditOf(rig, drop.requestId)).toMatchObject({ dryRun, rule: 'policy.action-disabled' });
    }
    expect(await s.changesSince(mark)).toEqual([]);
    expect(await snapshot(s, [member, other])).toEqual(before);

    const granted = await grant(readers);
    expect(granted).toMatchObject({ ok: true, result: { sql: [`GRANT "${readers}" TO "${member}"`] } });
  });

  it('creates a temporary user only with the prefix, the listed roles and at most maxValidity ahead', async () => {
    const s = await scenario(rig);
    await s.su(`DO $$ BEGIN CREATE ROLE ${q(readers)} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    if (s.majorVersion >= 16) await s.su(`GRANT ${q(readers)} TO ${q(s.admin.name)} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
    const other = await s.managedRole('pol_other', 'NOLOGIN');
    const create = (role: string, memberOf: string[], minutes: number) =>
      rig.rotator.action({
        action: 'create-temporary-user',
        target: s.target,
        params: { role, memberOf, validUntil: new Date(Date.now() + minutes * 60_000).toISOString(), secretName: `${PASSWORD_PREFIX}${uniqueName('s')}` },
      });
    const name = `${prefix}${uniqueName('u')}`;

    expectRefused(rig, await create(uniqueName('u'), [readers], 30), 'policy.temporary-user-name');
    expectRefused(rig, await create(name, [readers, other], 30), 'policy.temporary-user-role');
    expectRefused(rig, await create(name, [readers], 90), 'policy.temporary-user-validity');
    expect((await s.discover([name])).roles).toEqual([]);

    expect(await create(name, [readers], 30)).toMatchObject({ ok: true, result: { changed: true } });
  });
});

describe('a policy without grantOption', () => {
  const policy: PermissionPolicyInput = { actions: ['grant-privileges', 'revoke-privileges'], roles: { names: ['*'] }, schemas: ['app'] };
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ PERMISSION_POLICY: JSON.stringify(policy) });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('grants a privilege but refuses it WITH GRANT OPTION, which would let the grantee hand it to any role, and changes nothing', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('pol_analyst');
    const grant = (grantable: boolean) => ({ on: 'table' as const, schema: 'app', name: 'accounts', privileges: ['SELECT' as const], grantable, grantor: s.owner });
    const mark = await logMark();

    const refused = await rig.rotator.action({ action: 'grant-privileges', target: s.target, params: { role, grants: [grant(true)] } });

    expectRefused(rig, refused, 'policy.grant-option-not-allowed');
    expect(refused.error?.message).toContain('request.params.grants.0.grantable: the permission policy does not let actions grant privileges WITH GRANT OPTION');
    expect(await s.changesSince(mark)).toEqual([]);
    const granted = await rig.rotator.action({ action: 'grant-privileges', target: s.target, params: { role, grants: [grant(false)] } });
    expect(granted).toMatchObject({ ok: true, result: { changed: true, granted: [grant(false)] } });
  });
});
