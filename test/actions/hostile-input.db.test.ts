import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logMark, uniqueName } from '../support/postgres';
import type { Rig, Scenario } from './rig';
import { PASSWORD_PREFIX, passwordSecretName, roundTrip, scenario, startRig } from './rig';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ PASSWORD_SECRET_PREFIX: PASSWORD_PREFIX });
});
afterAll(async () => {
  await rig?.close();
});

/** A legal role name that breaks naive SQL building: quotes, a statement separator, a comment, non-ASCII. */
const hostileName = (tag: string) => `x'"; DROP TABLE app.accounts; --ü ${tag}`;

describe('names are quoted, never interpreted', () => {
  it('creates, reads with and drops a read-only user whose name is a would-be injection', async () => {
    const s = await scenario(rig);
    const role = hostileName(uniqueName('r').slice(-10));
    expect(Buffer.byteLength(role, 'utf8')).toBeLessThanOrEqual(63);

    const { real } = await roundTrip(rig, s, { action: 'create-read-only-user', params: { role, schemas: ['app'], secretName: passwordSecretName('s') } }, [role, s.owner]);

    expect(real.result?.sql[0]).toBe(`CREATE ROLE "x'""; DROP TABLE app.accounts; --ü ${role.slice(-10)}" LOGIN PASSWORD '[redacted]'`);
    expect(await s.su("SELECT to_regclass('app.accounts') IS NOT NULL AS present")).toEqual([{ present: true }]);
  });

  it('locks and unlocks such a role', async () => {
    const s = await scenario(rig);
    const role = hostileName('lock');
    await s.su(`CREATE ROLE "x'""; DROP TABLE app.accounts; --ü lock" LOGIN`);
    if (s.majorVersion >= 16) await s.su(`GRANT "x'""; DROP TABLE app.accounts; --ü lock" TO "${s.admin.name}" WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);

    await roundTrip(rig, s, { action: 'lock-user', params: { role } }, [role]);
    await s.su(`DROP ROLE "x'""; DROP TABLE app.accounts; --ü lock"`);
  });
});

describe('refused requests change nothing', () => {
  const cases: [string, (s: Scenario, grantee: string) => Record<string, unknown>, string][] = [
    ['a role name over 63 bytes', () => ({ action: 'lock-user', params: { role: 'é'.repeat(32) } }), 'request.params.role'],
    ['a role name with NUL', () => ({ action: 'lock-user', params: { role: 'a\u0000b' } }), 'request.params.role'],
    ['an empty role name', () => ({ action: 'drop-user', params: { role: '' } }), 'request.params.role'],
    ['a parameter the action does not have', () => ({ action: 'lock-user', params: { role: 'a', cascade: true } }), 'request.params'],
    ['an unknown action', () => ({ action: 'drop-database', params: {} }), 'request.action'],
    ['a schema name carrying SQL', (_, grantee) => ({ action: 'revoke-all-privileges', params: { role: grantee, schema: 'app; DROP TABLE app.accounts; --' } }), 'request.params.schema'],
    [
      'a privilege keyword carrying SQL',
      (s, grantee) => ({ action: 'grant-privileges', params: { role: grantee, grants: [{ on: 'schema', schema: 'app', privileges: ['USAGE ON SCHEMA app TO PUBLIC; --'], grantable: false, grantor: s.owner }] } }),
      'request.params.grants.0.privileges.0',
    ],
    [
      'routine arguments carrying SQL',
      (s, grantee) => ({
        action: 'grant-privileges',
        params: { role: grantee, grants: [{ on: 'function', schema: 'app', name: 'add', arguments: 'integer, integer) TO PUBLIC; DROP TABLE app.accounts; --', privileges: ['EXECUTE'], grantable: false, grantor: s.owner }] },
      }),
      'request.params.grants.0.arguments',
    ],
    ['a secret name carrying quotes', () => ({ action: 'rotate-password', params: { role: 'a', secretName: "x'; --" } }), 'request.params.secretName'],
    ['a VALID UNTIL that is not a timestamp', () => ({ action: 'create-temporary-user', params: { role: 'a', validUntil: "2030-01-01'; DROP ROLE x; --", memberOf: ['b'], secretName: 's' } }), 'request.params.validUntil'],
  ];

  it.each(cases)('%s: INVALID_INPUT naming the field', async (_label, build, field) => {
    const s = await scenario(rig);
    // A role the request may act on: what is refused here is the field, not the role.
    const grantee = await s.managedRole('grantee');
    const before = await s.discover([s.owner, s.admin.name]);
    const mark = await logMark();

    // Sent raw, past the client's own validation: the function is what must refuse it.
    const response = await rig.rotator.sendRaw({ kind: 'action', target: s.target, ...build(s, grantee) });

    expect(response).toMatchObject({ ok: false, result: null, error: { code: 'INVALID_INPUT', field } });
    expect(await s.changesSince(mark)).toEqual([]);
    expect(await s.discover([s.owner, s.admin.name])).toEqual(before);
    expect(await s.su("SELECT to_regclass('app.accounts') IS NOT NULL AS present")).toEqual([{ present: true }]);
  });
});
