import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logMark } from '../support/postgres';
import type { Rig } from './rig';
import { roundTrip, scenario, startRig } from './rig';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

describe('revoke-all-privileges', () => {
  it('revokes every kind of privilege in a schema, each as its grantor; the rollback re-grants exactly what it revoked', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('analyst');
    // A second grantor: a lead who holds SELECT WITH GRANT OPTION and passed it on. The admin may act as the lead.
    const lead = await s.managedRole('lead', 'NOLOGIN');
    await s.su(`GRANT "${lead}" TO "${s.admin.name}"${s.majorVersion >= 16 ? ' WITH INHERIT TRUE, SET TRUE' : ''}`);
    await s.su(`SET ROLE "${s.owner}";
      GRANT USAGE ON SCHEMA app TO "${role}";
      GRANT SELECT, INSERT ON app.accounts TO "${role}" WITH GRANT OPTION;
      GRANT UPDATE (email) ON app.accounts TO "${role}";
      GRANT SELECT ON app.balances TO "${role}";
      GRANT USAGE ON SEQUENCE app.invoice_no TO "${role}";
      GRANT EXECUTE ON FUNCTION app.add(integer, integer) TO "${role}";
      GRANT USAGE ON SCHEMA app TO "${lead}";
      GRANT SELECT ON app.audit_log TO "${lead}" WITH GRANT OPTION;
      ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO "${role}";
      RESET ROLE;
      SET ROLE "${lead}"; GRANT SELECT ON app.audit_log TO "${role}"; RESET ROLE`);

    const { real } = await roundTrip(rig, s, { action: 'revoke-all-privileges', params: { role, schema: 'app' } }, [role, lead, s.owner], async () => {
      const left = (await s.discover([role])).privileges.filter((p) => p.schema === 'app');
      expect(left).toEqual([]);
    });

    const revoked = real.result?.revoked ?? [];
    expect(revoked).toEqual(
      expect.arrayContaining([
        { on: 'schema', schema: 'app', privileges: ['USAGE'], grantable: false, grantor: s.owner },
        { on: 'table', schema: 'app', name: 'accounts', privileges: ['SELECT', 'INSERT'], grantable: true, grantor: s.owner },
        { on: 'column', schema: 'app', name: 'accounts', column: 'email', privileges: ['UPDATE'], grantable: false, grantor: s.owner },
        { on: 'table', schema: 'app', name: 'audit_log', privileges: ['SELECT'], grantable: false, grantor: lead },
        { on: 'sequence', schema: 'app', name: 'invoice_no', privileges: ['USAGE'], grantable: false, grantor: s.owner },
        { on: 'function', schema: 'app', name: 'add', arguments: 'a integer, b integer', privileges: ['EXECUTE'], grantable: false, grantor: s.owner },
        { on: 'default', schema: 'app', forRole: s.owner, objects: 'tables', privileges: ['SELECT'], grantable: false },
      ]),
    );
    expect(revoked).toHaveLength(8);
    expect(real.result?.sql).toContain(`SET ROLE "${lead}"`);
    expect(real.rollback).toMatchObject({ action: 'grant-privileges', params: { role, grants: revoked } });
  });

  it('revokes more grants than a rollback may restore, and says it offers none, rather than failing after COMMIT', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('analyst');
    await s.su(`SET ROLE "${s.owner}";
      DO $$ BEGIN FOR i IN 1..1001 LOOP EXECUTE format('CREATE TABLE app.%I (id int)', 'wide_' || i); END LOOP; END $$;
      GRANT SELECT ON ALL TABLES IN SCHEMA app TO "${role}";
      RESET ROLE`);

    const response = await rig.rotator.action({ action: 'revoke-all-privileges', target: s.target, params: { role, schema: 'app' } });

    expect(response).toMatchObject({ ok: true, result: { changed: true }, rollback: null });
    expect(response.result?.revoked?.length).toBeGreaterThan(1000);
    expect(response.result?.notes).toContainEqual(expect.stringMatching(/^no rollback is offered: the request that would undo this one is not one the function accepts \(rollback\.params\.grants: /));
    expect((await s.discover([role])).privileges.filter((p) => p.schema === 'app')).toEqual([]);
  });

  it('revoking from a role that holds nothing in the schema changes nothing', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('analyst');
    const mark = await logMark();

    const response = await rig.rotator.action({ action: 'revoke-all-privileges', target: s.target, params: { role, schema: 'app' } });

    expect(response).toMatchObject({ ok: true, result: { changed: false, sql: [], revoked: [] }, rollback: null });
    expect(await s.changesSince(mark)).toEqual([]);
  });
});

describe('grant-privileges and revoke-privileges', () => {
  it('grants only what is missing; the rollback revokes exactly that', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('analyst');
    await s.su(`SET ROLE "${s.owner}"; GRANT SELECT ON app.accounts TO "${role}"; RESET ROLE`);
    const grants = [
      { on: 'table' as const, schema: 'app', name: 'accounts', privileges: ['SELECT' as const, 'UPDATE' as const], grantable: false, grantor: s.owner },
      { on: 'function' as const, schema: 'app', name: 'add', arguments: 'a integer, b integer', privileges: ['EXECUTE' as const], grantable: false, grantor: s.owner },
    ];

    const { real } = await roundTrip(rig, s, { action: 'grant-privileges', params: { role, grants } }, [role, s.owner]);

    expect(real.result?.granted).toEqual([
      { on: 'table', schema: 'app', name: 'accounts', privileges: ['UPDATE'], grantable: false, grantor: s.owner },
      { on: 'function', schema: 'app', name: 'add', arguments: 'a integer, b integer', privileges: ['EXECUTE'], grantable: false, grantor: s.owner },
    ]);
    // The admin, a member of the owner, records the owner as grantor itself: no SET ROLE is needed.
    expect(real.result?.sql).toEqual([`GRANT UPDATE ON TABLE "app"."accounts" TO "${role}"`, `GRANT EXECUTE ON ROUTINE "app"."add"(a integer, b integer) TO "${role}"`]);
  });
});

describe('grant-privileges: what PostgreSQL records', () => {
  it('reports and rolls back a grant under the grantor PostgreSQL records: a member of the owner grants as the owner', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('analyst');
    const asked = { on: 'table' as const, schema: 'app', name: 'accounts', privileges: ['SELECT' as const], grantable: false, grantor: s.admin.name };

    const { real } = await roundTrip(rig, s, { action: 'grant-privileges', params: { role, grants: [asked] } }, [role, s.owner], async () => {
      const held = (await s.discover([role])).privileges.filter((p) => p.schema === 'app');
      expect(held).toEqual([expect.objectContaining({ on: 'table', name: 'accounts', privilege: 'SELECT', grantor: s.owner })]);
      // Asked again, it is already held: the same grant, whoever the request names as making it.
      const again = await rig.rotator.action({ action: 'grant-privileges', target: s.target, params: { role, grants: [asked] } });
      expect(again).toMatchObject({ ok: true, result: { changed: false, sql: [], granted: [] }, rollback: null });
    });

    expect(real.result?.sql).toEqual([`GRANT SELECT ON TABLE "app"."accounts" TO "${role}"`]);
    expect(real.result?.granted).toEqual([{ ...asked, grantor: s.owner }]);
    expect(real.result?.notes).toEqual([`PostgreSQL records the grant of SELECT on table "app"."accounts" as made by "${s.owner}", not "${s.admin.name}"`]);
    expect(real.rollback).toMatchObject({ action: 'revoke-privileges', params: { role, grants: [{ ...asked, grantor: s.owner }] } });
  });

  it('predicts the grantor of what it grants, not of the whole list: a grant option the admin holds itself is recorded as the admin', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('analyst');
    await s.su(`SET ROLE "${s.owner}"; GRANT SELECT ON app.accounts TO "${s.admin.name}" WITH GRANT OPTION; GRANT UPDATE ON app.accounts TO "${role}"; RESET ROLE`);
    const asked = { on: 'table' as const, schema: 'app', name: 'accounts', privileges: ['SELECT' as const, 'UPDATE' as const], grantable: false, grantor: s.admin.name };

    const { real } = await roundTrip(rig, s, { action: 'grant-privileges', params: { role, grants: [asked] } }, [role, s.owner]);

    expect(real.result?.sql).toEqual([`GRANT SELECT ON TABLE "app"."accounts" TO "${role}"`]);
    expect(real.result?.granted).toEqual([{ ...asked, privileges: ['SELECT'] }]);
  });

  it('runs a statement as the admin where that records the same grantor, needing no SET ROLE it may lack (PostgreSQL 16: SET FALSE)', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('analyst');
    const [lead, owner2] = [await s.managedRole('lead', 'NOLOGIN'), await s.managedRole('owner2', 'NOLOGIN')];
    const options = (set: boolean) => (s.majorVersion >= 16 ? ` WITH INHERIT TRUE, SET ${set ? 'TRUE' : 'FALSE'}` : '');
    await s.su(`GRANT "${lead}" TO "${s.admin.name}"${options(true)}; GRANT "${owner2}" TO "${lead}"${options(false)};
      CREATE TABLE app.ledger (id int); ALTER TABLE app.ledger OWNER TO "${owner2}"`);
    const asked = { on: 'table' as const, schema: 'app', name: 'ledger', privileges: ['SELECT' as const], grantable: false, grantor: lead };

    const { real } = await roundTrip(rig, s, { action: 'grant-privileges', params: { role, grants: [asked] } }, [role, owner2]);

    expect(real.result?.sql).toEqual([`GRANT SELECT ON TABLE "app"."ledger" TO "${role}"`]);
    expect(real.result?.granted).toEqual([{ ...asked, grantor: owner2 }]);
    expect(real.rollback).toMatchObject({ action: 'revoke-privileges', params: { grants: [{ ...asked, grantor: owner2 }] } });
  });

  it('adds the grant option to a privilege already held without it; the rollback takes back the option alone', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('analyst');
    await s.su(`SET ROLE "${s.owner}"; GRANT SELECT ON app.accounts TO "${role}"; RESET ROLE`);
    const asked = { on: 'table' as const, schema: 'app', name: 'accounts', privileges: ['SELECT' as const], grantable: true, grantor: s.owner };

    const { real } = await roundTrip(rig, s, { action: 'grant-privileges', params: { role, grants: [asked] } }, [role, s.owner], async () => {
      const held = (await s.discover([role])).privileges.filter((p) => p.schema === 'app');
      expect(held).toEqual([expect.objectContaining({ name: 'accounts', privilege: 'SELECT', grantable: true })]);
    });

    expect(real.result).toMatchObject({ changed: true, granted: [asked] });
    expect(real.result?.sql).toEqual([`GRANT SELECT ON TABLE "app"."accounts" TO "${role}" WITH GRANT OPTION`]);
    expect(real.result?.notes).toContainEqual(`"${role}" already held SELECT on table "app"."accounts" from "${s.owner}": only the grant option was added`);
    expect(real.rollback).toMatchObject({ action: 'revoke-privileges', params: { role, grants: [], grantOptions: [asked] } });
  });

  it('refuses a grantor that holds no grant option, where PostgreSQL would only warn, and changes nothing', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('analyst');
    const lead = await s.managedRole('lead', 'NOLOGIN');
    await s.su(`GRANT "${lead}" TO "${s.admin.name}"${s.majorVersion >= 16 ? ' WITH INHERIT TRUE, SET TRUE' : ''}`);
    await s.su(`SET ROLE "${s.owner}"; GRANT USAGE ON SCHEMA app TO "${lead}"; GRANT SELECT ON app.accounts TO "${lead}"; RESET ROLE`);
    const mark = await logMark();

    const response = await rig.rotator.action({
      action: 'grant-privileges',
      target: s.target,
      params: { role, grants: [{ on: 'table', schema: 'app', name: 'accounts', privileges: ['SELECT'], grantable: false, grantor: lead }] },
    });

    expect(response.error).toMatchObject({ code: 'INVALID_INPUT', field: 'request.params.grants.0.grantor' });
    expect(response.error?.message).toContain(`"${lead}" holds no grant option for SELECT on table "app"."accounts"`);
    const missing = await rig.rotator.action({
      action: 'grant-privileges',
      target: s.target,
      params: { role, grants: [{ on: 'sequence', schema: 'app', name: 'no_such_sequence', privileges: ['USAGE'], grantable: false, grantor: s.owner }] },
    });
    expect(missing.error).toMatchObject({ code: 'INVALID_INPUT', field: 'request.params.grants.0.name', message: 'request.params.grants.0.name: names no sequence "app"."no_such_sequence"' });
    const refusedAt = async (grant: Record<string, unknown>) => {
      const answer = await rig.rotator.action({ action: 'grant-privileges', target: s.target, params: { role, grants: [{ grantable: false, grantor: s.owner, ...grant }] } as never });
      return [answer.error?.field, answer.error?.message.replace(/^[^:]*: /, '')];
    };
    // A sequence is not a table here (PostgreSQL would take only sequence privileges through ON TABLE, and warn).
    expect(await refusedAt({ on: 'table', schema: 'app', name: 'invoice_no', privileges: ['INSERT'] })).toEqual(['request.params.grants.0.name', 'names no table "app"."invoice_no"']);
    expect(await refusedAt({ on: 'sequence', schema: 'app', name: 'accounts', privileges: ['USAGE'] })).toEqual(['request.params.grants.0.name', 'names no sequence "app"."accounts"']);
    expect(await refusedAt({ on: 'column', schema: 'app', name: 'accounts', column: 'nope', privileges: ['SELECT'] })).toEqual([
      'request.params.grants.0.column',
      'names no column "nope" of table "app"."accounts"',
    ]);
    expect(await refusedAt({ on: 'schema', schema: 'nope', privileges: ['USAGE'] })).toEqual(['request.params.grants.0.schema', 'names no schema "nope"']);
    // The lead may grant SELECT on the table, but cannot look it up without USAGE on its schema.
    await s.su(`SET ROLE "${s.owner}"; REVOKE USAGE ON SCHEMA app FROM "${lead}"; GRANT SELECT ON app.accounts TO "${lead}" WITH GRANT OPTION; RESET ROLE`);
    expect(await refusedAt({ on: 'table', schema: 'app', name: 'accounts', privileges: ['SELECT'], grantor: lead })).toEqual([
      'request.params.grants.0.grantor',
      `"${lead}" has no USAGE on schema "app", so it cannot name table "app"."accounts"`,
    ]);
    expect(await s.changesSince(mark)).toEqual([]);
  });

  it('refuses, dry run included, to revoke what the role granted on to others, which PostgreSQL refuses without CASCADE, and changes nothing', async () => {
    const s = await scenario(rig);
    const [role, other] = [await s.managedRole('analyst'), await s.managedRole('clerk')];
    await s.su(`SET ROLE "${s.owner}"; GRANT USAGE ON SCHEMA app TO "${role}"; GRANT SELECT ON app.accounts TO "${role}" WITH GRANT OPTION; RESET ROLE;
      SET ROLE "${role}"; GRANT SELECT (email) ON app.accounts TO "${other}"; RESET ROLE`);
    const held = { on: 'table' as const, schema: 'app', name: 'accounts', privileges: ['SELECT' as const], grantable: true, grantor: s.owner };
    const mark = await logMark();

    for (const dryRun of [true, false]) {
      for (const call of [
        { action: 'revoke-privileges' as const, params: { role, grants: [], grantOptions: [held] } },
        { action: 'revoke-privileges' as const, params: { role, grants: [held] } },
        { action: 'revoke-all-privileges' as const, params: { role, schema: 'app' } },
      ]) {
        const answer = await rig.rotator.action({ ...call, target: s.target, dryRun });
        expect(answer.error).toMatchObject({ code: 'ROLE_HAS_DEPENDENTS' });
        expect(answer.error?.message).toContain(`SELECT on column "email" of table "app"."accounts" to "${other}"`);
      }
    }
    expect(await s.changesSince(mark)).toEqual([]);
  });

  it('revoke-privileges finds a grant the owner recorded when the request names the admin that made it', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('analyst');
    await s.su(`SET ROLE "${s.owner}"; GRANT SELECT ON app.accounts TO "${role}"; RESET ROLE`);
    const asked = { on: 'table' as const, schema: 'app', name: 'accounts', privileges: ['SELECT' as const], grantable: false, grantor: s.admin.name };

    const { real } = await roundTrip(rig, s, { action: 'revoke-privileges', params: { role, grants: [asked] } }, [role, s.owner], async () => {
      expect((await s.discover([role])).privileges.filter((p) => p.schema === 'app')).toEqual([]);
    });

    expect(real.result?.revoked).toEqual([{ ...asked, grantor: s.owner }]);
  });
});
