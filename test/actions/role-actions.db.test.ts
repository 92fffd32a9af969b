import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleLockKey } from '../../lambda/actions/advisory-lock';
import { logMark } from '../support/postgres';
import type { Rig, Scenario } from './rig';
import { logsIn, roundTrip, scenario, startRig } from './rig';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

const passwordOf = (role: string) => `Passw0rd-${role}`;

describe('lock-user and unlock-user', () => {
  it('locks a login and ends its open session; the rollback unlocks it; the dry run shows exactly the executed SQL', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    const [{ oid }] = (await s.su('SELECT oid::text AS oid FROM pg_roles WHERE rolname = $1', [role])) as [{ oid: string }];
    const open = new Client(s.db.config({ user: role, password: passwordOf(role) }));
    open.on('error', () => undefined);
    await open.connect();

    const { real } = await roundTrip(rig, s, { action: 'lock-user', params: { role, terminateSessions: true } }, [role], async (response) => {
      expect(response.result?.terminatedSessions).toBe(1);
      expect(await logsIn(role, passwordOf(role), s.db.name)).toBe(false);
      await expect(open.query('SELECT 1')).rejects.toThrow();
    });

    expect(real.result?.sql).toEqual([
      `ALTER ROLE "${role}" NOLOGIN`,
      `SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid))::int AS terminated FROM pg_catalog.pg_stat_activity WHERE usesysid = '${oid}' AND pid <> pg_catalog.pg_backend_pid()`,
    ]);
    expect(real.rollback).toMatchObject({ kind: 'action', action: 'unlock-user', target: s.target, params: { role } });
    expect(await logsIn(role, passwordOf(role), s.db.name)).toBe(true);
  });

  it('locking a locked user succeeds, reports no change, offers no rollback and sends nothing', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app', 'NOLOGIN');
    const mark = await logMark();

    const response = await rig.rotator.action({ action: 'lock-user', target: s.target, params: { role } });

    expect(response).toMatchObject({ ok: true, result: { changed: false, sql: [] }, rollback: null });
    expect(await s.changesSince(mark)).toEqual([]);
  });

  it("unlock-user's rollback locks the user again", async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app', 'NOLOGIN');

    await roundTrip(rig, s, { action: 'unlock-user', params: { role } }, [role], async () => {
      expect(await logsIn(role, passwordOf(role), s.db.name)).toBe(true);
    });
  });

  it('waits for the advisory lock another action holds on the same role, then runs', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    const holder = await s.db.superuserClient();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [...roleLockKey(role)]);
    let finished = false;

    const pending = rig.rotator.action({ action: 'lock-user', target: s.target, params: { role } }).finally(() => {
      finished = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const waiting = finished;
    await holder.query('COMMIT');
    await holder.end();

    expect(waiting).toBe(false);
    expect(await pending).toMatchObject({ ok: true, result: { changed: true } });
  });

  it("refuses to lock the admin's own login", async () => {
    const s = await scenario(rig);

    const response = await rig.rotator.action({ action: 'lock-user', target: s.target, params: { role: s.admin.name } });

    expect(response).toMatchObject({ ok: false, error: { code: 'ACTION_REFUSED' }, result: null, rollback: null });
  });
});

describe('grant-role and revoke-role', () => {
  it('grants a role with ADMIN OPTION; the rollback revokes exactly that grant', async () => {
    const s = await scenario(rig);
    const [member, group] = [await s.managedRole('member'), await s.managedRole('grp', 'NOLOGIN')];

    const { real } = await roundTrip(rig, s, { action: 'grant-role', params: { role: member, grantedRole: group, adminOption: true } }, [member, group], async () => {
      const [membership] = await s.su('SELECT admin_option FROM pg_auth_members WHERE roleid = $1::regrole AND member = $2::regrole', [group, member]);
      expect(membership).toEqual({ admin_option: true });
    });

    expect(real.result?.sql).toEqual([s.majorVersion >= 16 ? `GRANT "${group}" TO "${member}" WITH ADMIN TRUE` : `GRANT "${group}" TO "${member}" WITH ADMIN OPTION`]);
    expect(real.rollback).toMatchObject({ action: 'revoke-role', params: { role: member, grantedRole: group } });
  });

  it('granting a membership the role already holds changes nothing', async () => {
    const s = await scenario(rig);
    const [member, group] = [await s.managedRole('member'), await s.managedRole('grp', 'NOLOGIN')];
    await s.su(`GRANT "${group}" TO "${member}"`);

    const response = await rig.rotator.action({ action: 'grant-role', target: s.target, params: { role: member, grantedRole: group } });

    expect(response).toMatchObject({ ok: true, result: { changed: false, sql: [] }, rollback: null });
  });

  it("revokes a membership; the rollback restores it with its grantor and options (INHERIT/SET on 16+)", async () => {
    const s = await scenario(rig);
    const [member, group] = [await s.managedRole('member'), await s.managedRole('grp', 'NOLOGIN')];
    // Granted by the superuser, with non-default options where the server has them: the rollback must restore both.
    await s.su(s.majorVersion >= 16 ? `GRANT "${group}" TO "${member}" WITH INHERIT FALSE, SET TRUE` : `GRANT "${group}" TO "${member}"`);
    // Revoking a grant made by another role needs that role's privileges; a superuser-made grant needs a superuser admin.
    const { real } = await roundTrip(rig, await asSuperuser(s), { action: 'revoke-role', params: { role: member, grantedRole: group } }, [member, group], async () => {
      expect(await s.su('SELECT 1 FROM pg_auth_members WHERE roleid = $1::regrole AND member = $2::regrole', [group, member])).toEqual([]);
    });

    expect(real.rollback?.action).toBe('grant-role');
    if (s.majorVersion >= 16) expect(real.rollback?.params).toMatchObject({ inherit: false, set: true, adminOption: false });
  });
});

describe('drop-user', () => {
  it('refuses a user that owns objects or holds privileges, listing them, and changes nothing', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    await s.su(`GRANT USAGE ON SCHEMA app TO "${role}"`);
    await s.su(`GRANT SELECT ON app.accounts TO "${role}"`);
    await s.su(`CREATE TABLE public.owned_by_app (id int)`);
    await s.su(`ALTER TABLE public.owned_by_app OWNER TO "${role}"`);
    const before = await s.discover([role]);
    const mark = await logMark();

    const response = await rig.rotator.action({ action: 'drop-user', target: s.target, params: { role } });

    expect(response).toMatchObject({ ok: false, error: { code: 'ROLE_HAS_DEPENDENTS' }, rollback: null });
    expect(response.error?.dependents).toEqual(
      ['holds privileges on schema app', 'holds privileges on table app.accounts', 'owns table owned_by_app'],
    );
    expect(await s.changesSince(mark)).toEqual([]);
    expect(await s.discover([role])).toEqual(before);
  });

  it('with reassignOwnedTo hands objects over, revokes privileges and drops the user; no rollback; dry run equals run', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    await s.su(`GRANT SELECT ON app.accounts TO "${role}"`);
    await s.su(`CREATE TABLE public.owned_by_app (id int)`);
    await s.su(`ALTER TABLE public.owned_by_app OWNER TO "${role}"`);
    const call = { action: 'drop-user' as const, target: s.target, params: { role, reassignOwnedTo: s.owner } };

    const dry = await rig.rotator.action({ ...call, dryRun: true });
    const mark = await logMark();
    const real = await rig.rotator.action(call);

    expect(real).toMatchObject({ ok: true, result: { changed: true, dropped: [role] }, rollback: null });
    expect(real.result?.sql).toEqual(dry.result?.sql);
    expect(await s.changesSince(mark)).toEqual(real.result?.sql);
    expect(real.result?.sql.slice(-3)).toEqual([`REASSIGN OWNED BY "${role}" TO "${s.owner}"`, `DROP OWNED BY "${role}"`, `DROP ROLE "${role}"`]);
    expect(await s.su("SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'public.owned_by_app'::regclass")).toEqual([{ owner: s.owner }]);
    expect((await s.discover([role])).roles).toEqual([]);
  });

  it("refuses to hand over what runs with its owner's privileges, which would let the dropped login borrow the admin's", async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    const fn = `public.${role}_whoami()`;
    const view = `public.${role}_view`;
    // What a login that may CREATE somewhere could leave behind for whoever receives its objects.
    await s.su(`CREATE FUNCTION ${fn} RETURNS text SECURITY DEFINER LANGUAGE sql AS 'SELECT current_user::text'`);
    await s.su(`ALTER FUNCTION ${fn} OWNER TO "${role}"`);
    await s.su(`CREATE VIEW ${view} AS SELECT 1 AS one`);
    await s.su(`ALTER VIEW ${view} OWNER TO "${role}"`);
    const call = { action: 'drop-user' as const, target: s.target, params: { role, reassignOwnedTo: s.admin.name } };
    const mark = await logMark();

    const dry = await rig.rotator.action({ ...call, dryRun: true });
    const real = await rig.rotator.action(call);

    for (const response of [dry, real]) {
      expect(response).toMatchObject({ ok: false, error: { code: 'ACTION_REFUSED', rule: 'reassign.runs-as-owner' }, rollback: null });
      // PostgreSQL's own descriptions, which leave out a schema on the search path.
      expect(response.error?.message).toContain(`function ${role}_whoami() (SECURITY DEFINER); view ${role}_view. reassignOwnedTo would make it run as "${s.admin.name}"`);
    }
    expect(await s.changesSince(mark)).toEqual([]);
    expect(await s.su(`SELECT pg_get_userbyid(proowner) AS owner FROM pg_proc WHERE oid = '${fn}'::regprocedure`)).toEqual([{ owner: role }]);

    // Made to run as their callers (or gone, where views cannot be), they may be handed over.
    await s.su(`ALTER FUNCTION ${fn} SECURITY INVOKER`);
    await s.su(s.majorVersion >= 15 ? `ALTER VIEW ${view} SET (security_invoker = true)` : `DROP VIEW ${view}`);
    expect(await rig.rotator.action(call)).toMatchObject({ ok: true, result: { dropped: [role] } });
    expect(await s.su(`SELECT pg_get_userbyid(proowner) AS owner FROM pg_proc WHERE oid = '${fn}'::regprocedure`)).toEqual([{ owner: s.admin.name }]);
  });

  it('dropping a user that does not exist succeeds with no change', async () => {
    const s = await scenario(rig);

    const response = await rig.rotator.action({ action: 'drop-user', target: s.target, params: { role: 'no_such_role_anywhere' } });

    expect(response).toMatchObject({ ok: true, result: { changed: false, sql: [] }, rollback: null });
  });
});

/** The same scenario with the cluster's superuser as the admin. */
async function asSuperuser(s: Scenario): Promise<Scenario> {
  const { username, password } = s.db.server.superuser;
  const arn = await s.createSecret(`superuser-${s.db.name}`, { engine: 'postgres', host: s.db.server.host, port: s.db.server.port, username, password, dbname: s.db.name });
  rig.stack.declarations.declareAdmin(arn);
  return { ...s, target: { adminSecretArn: arn }, changesSince: (mark) => s.changesSince(mark, username) };
}
