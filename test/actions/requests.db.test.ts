import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { escapeLiteral } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../support/postgres';
import type { Rig } from './rig';
import { logsIn, scenario, startRig } from './rig';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

describe('test requests', () => {
  it('report version, TLS, authentication and latency, and a checklist whose fixes, once applied, make it pass', async () => {
    const s = await scenario(rig);
    const unmanaged = await s.managedRole('unmanaged');
    if (s.majorVersion >= 16) await s.su(`REVOKE "${unmanaged}" FROM "${s.admin.name}"`);
    const stranger = uniqueName('stranger');
    await s.su(`CREATE ROLE "${stranger}" NOLOGIN; CREATE SCHEMA other AUTHORIZATION "${stranger}"`);
    await s.su(`REVOKE pg_signal_backend FROM "${s.admin.name}"`);
    const request = { secretArn: s.adminSecretArn, admin: { managedRoles: [unmanaged], schemas: ['app', 'other'] } };

    const first = await rig.rotator.test(request);

    expect(first.error).toBeNull();
    expect(first.result).toMatchObject({
      role: s.admin.name,
      database: s.db.name,
      serverVersionNum: expect.any(Number),
      tls: { protocol: expect.stringMatching(/^TLSv1\.[23]$/), cipher: expect.any(String) },
      // Over TLS, the login binds SCRAM to the channel (SCRAM-SHA-256-PLUS); before 16 only the protocol says how it logged in.
      authentication: s.majorVersion >= 16 ? { method: 'scram-sha-256', source: 'system_user', channelBinding: true } : { method: 'scram-sha-256-plus', source: 'protocol', channelBinding: true },
      latencyMs: { samples: 5 },
    });
    const failing = first.result?.checklist?.filter((item) => !item.ok) ?? [];
    expect(failing.map((item) => item.id).sort()).toEqual(
      [...(s.majorVersion >= 16 ? [`admin-option:${unmanaged}`] : []), 'pg_signal_backend', 'schema-owners:other'].sort(),
    );
    for (const item of failing) await s.su(item.fix as string);

    const second = await rig.rotator.test(request);
    expect(second.result?.checklist?.every((item) => item.ok)).toBe(true);
  });

  it('test an application secret: no checklist, and a wrong password is a DB_AUTHENTICATION error', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    const good = await s.createSecret(uniqueName('app'), { engine: 'postgres', host: s.db.server.host, port: s.db.server.port, username: role, password: `Passw0rd-${role}`, dbname: s.db.name });
    const bad = await s.createSecret(uniqueName('app'), { engine: 'postgres', host: s.db.server.host, port: s.db.server.port, username: role, password: 'wrong', dbname: s.db.name });

    expect((await rig.rotator.test({ secretArn: good })).result).toMatchObject({ role, checklist: null });
    expect(await rig.rotator.test({ secretArn: bad })).toMatchObject({ ok: false, error: { code: 'DB_AUTHENTICATION' } });
  });
});

describe('discover', () => {
  it('works for a login holding only pg_monitor and pg_read_all_data, and sees what the admin sees', async () => {
    const s = await scenario(rig);
    const observer = uniqueName('observer');
    await s.su(`CREATE ROLE "${observer}" LOGIN PASSWORD ${escapeLiteral(`Passw0rd-${observer}`)} IN ROLE pg_monitor, pg_read_all_data`);
    const observerArn = await s.createSecret(uniqueName('observer'), {
      engine: 'postgres',
      host: s.db.server.host,
      port: s.db.server.port,
      username: observer,
      password: `Passw0rd-${observer}`,
      dbname: s.db.name,
    });
    // A read-only login for discover is declared as the orchestrator's admin secrets are (orchestration.adminSecrets).
    rig.stack.declarations.declareAdmin(observerArn);
    const reader = await s.managedRole('reader');
    await s.su(`GRANT USAGE ON SCHEMA app TO "${reader}"; GRANT SELECT (email) ON app.accounts TO "${reader}"`);

    const asObserver = await rig.rotator.discover({ target: { adminSecretArn: observerArn }, roles: [reader, s.owner] });
    const asAdmin = await rig.rotator.discover({ target: s.target, roles: [reader, s.owner] });

    expect(asObserver.error).toBeNull();
    expect(asObserver.result).toEqual(asAdmin.result);
    expect(asObserver.result?.roles.map((r) => r.name)).toEqual([reader, s.owner].sort());
    expect(asObserver.result?.privileges).toContainEqual(
      expect.objectContaining({ on: 'column', schema: 'app', name: 'accounts', column: 'email', grantee: reader, privilege: 'SELECT' }),
    );
  });
});

describe('rotate requests', () => {
  it('inline: runs the four steps now; the new password logs in, the old one is AWSPREVIOUS, no AWSPENDING is left', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    const arn = await s.createSecret(uniqueName('app'), { engine: 'postgres', host: s.db.server.host, port: s.db.server.port, username: role, password: `Passw0rd-${role}`, dbname: s.db.name });

    const response = await rig.rotator.rotate({ secretId: arn });

    expect(response).toMatchObject({ ok: true, result: { mode: 'inline', secretId: arn } });
    expect(response.result?.steps.map((step) => step.step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    const current = await s.secretValue(arn);
    expect(await logsIn(role, current?.password as string, s.db.name)).toBe(true);
    expect((await s.secretValue(arn, 'AWSPREVIOUS'))?.password).toBe(`Passw0rd-${role}`);
    expect(await s.secretValue(arn, 'AWSPENDING')).toBeUndefined();
  });

  it("secrets-manager: starts Secrets Manager's RotateSecret; inline is refused while rotation is enabled", async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');
    const arn = await s.createSecret(uniqueName('app'), { engine: 'postgres', host: s.db.server.host, port: s.db.server.port, username: role, password: `Passw0rd-${role}`, dbname: s.db.name });
    await rig.secrets.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: rig.stack.rotatorArn, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }));
    // RotateImmediately=false still runs testSecret once, against the configuration; let it finish.
    await rig.stack.secretsManager.rotations.settled(arn);

    const inline = await rig.rotator.rotate({ secretId: arn });
    const started = await rig.rotator.rotate({ secretId: arn, mode: 'secrets-manager' });
    const outcome = await rig.stack.secretsManager.rotations.latest(arn);

    expect(inline).toMatchObject({ ok: false, error: { code: 'ROTATION_STATE' } });
    expect(started).toMatchObject({ ok: true, result: { mode: 'secrets-manager', secretId: arn, steps: [] } });
    expect(outcome).toMatchObject({ succeeded: true });
    expect(await logsIn(role, (await s.secretValue(arn))?.password as string, s.db.name)).toBe(true);
  });
});

describe('the envelope and the audit record', () => {
  it('answers an unknown kind and a malformed request with INVALID_INPUT naming the field, and audits every request', async () => {
    const unknown = await rig.rotator.sendRaw({ kind: 'drop-everything' });
    const malformed = await rig.rotator.sendRaw({ kind: 'test' });

    expect(unknown).toMatchObject({ kind: null, ok: false, result: null, error: { code: 'INVALID_INPUT', field: 'request.kind' } });
    expect(malformed).toMatchObject({ kind: 'test', ok: false, result: null, error: { code: 'INVALID_INPUT', field: 'request.secretArn' } });
    const audits = rig.stack.functionLog.map((line) => JSON.parse(line) as { message: string; audit?: Record<string, unknown> }).filter((l) => l.message === 'audit');
    expect(audits.find((a) => a.audit?.requestId === malformed.requestId)?.audit).toMatchObject({
      schema: 'pg-rotator.audit/1',
      caller: 'vitest',
      kind: 'test',
      outcome: 'rejected',
      errorCode: 'INVALID_INPUT',
    });
  });

  it('records the caller a request names, the role, database, SQL and rollback of an action', async () => {
    const s = await scenario(rig);
    const role = await s.managedRole('app');

    const response = await rig.rotator.action({ action: 'lock-user', target: s.target, params: { role }, caller: 'ticket OPS-42' });

    const line = rig.stack.functionLog.find((l) => l.includes(response.requestId) && l.includes('"message":"audit"'));
    expect(JSON.parse(line as string).audit).toEqual({
      schema: 'pg-rotator.audit/1',
      requestId: response.requestId,
      profile: 'orchestrator',
      caller: 'ticket OPS-42',
      kind: 'action',
      action: 'lock-user',
      role,
      database: s.db.name,
      secretId: s.adminSecretArn,
      dryRun: false,
      outcome: 'ok',
      changed: true,
      sql: [`ALTER ROLE "${role}" NOLOGIN`],
      rollback: response.rollback,
      durationMs: expect.any(Number),
    });
  });
});
