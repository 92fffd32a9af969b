/**
 * Issue 18, attacks 5 and 6. Writes without a prefix: with no password-secret prefix declared, no action writes any
 * secret (a `rotate-password` into an application's own secret took its password; `restore-password` brought back a
 * retired one). Lock squatting: any login can take pg-rotator's advisory-lock key for a role; the revoking actions
 * then refuse at once with ACTION_REFUSED naming the holder's pid, instead of hanging into DB_TIMEOUT.
 */
import { DescribeSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import pg, { escapeIdentifier as q, escapeLiteral } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleLockKey } from '../../lambda/actions/advisory-lock';
import { connectionConfig, uniqueName } from '../support/postgres';
import type { Rig, Scenario } from '../actions/rig';
import { logsIn, scenario, startRig } from '../actions/rig';
import { PERMISSIVE_POLICY } from '../support/permissive-policy';

const LOCKS_PREFIX = 'locks_tmp_';

let rig: Rig;
beforeAll(async () => {
  // A deployment without orchestration.passwordSecrets: no PASSWORD_SECRET_PREFIX.
  // A temporary-user prefix of this file's own: roles are the cluster's, and another file's expiry must not meet
  // the users this one holds locked.
  rig = await startRig({ PERMISSION_POLICY: JSON.stringify({ ...PERMISSIVE_POLICY, temporaryUsers: { ...PERMISSIVE_POLICY.temporaryUsers, prefix: LOCKS_PREFIX } }) });
});
afterAll(async () => {
  await rig?.close();
});

/** An application login the admin manages, and its own secret (as a rotated secret would be). */
async function appWithSecret(s: Scenario) {
  const role = await s.managedRole('app');
  const password = `Passw0rd-${role}`;
  const arn = await s.createSecret(uniqueName('app_secret'), { engine: 'postgres', host: s.db.server.host, port: s.db.server.port, username: role, password, dbname: s.db.name });
  return { role, password, arn };
}

async function currentVersion(arn: string): Promise<string | undefined> {
  const stages = (await rig.secrets.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
  return Object.entries(stages).find(([, labels]) => labels.includes('AWSCURRENT'))?.[0];
}

describe('without a declared password-secret prefix', () => {
  it("refuses rotate-password into an application's own secret, dry run included, and its password stays", async () => {
    const s = await scenario(rig);
    const app = await appWithSecret(s);
    const before = await currentVersion(app.arn);

    for (const dryRun of [true, false]) {
      const response = await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role: app.role, secretName: app.arn }, dryRun });
      expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'request.params.secretName' } });
      expect(response.error?.message).toContain('the deployment declares no password-secret prefix');
    }
    expect(await logsIn(app.role, app.password, s.db.name)).toBe(true);
    expect(await currentVersion(app.arn)).toBe(before);
    expect((await s.secretValue(app.arn))?.password).toBe(app.password);
  });

  it('refuses restore-password of a retired version, and the current password stays', async () => {
    const s = await scenario(rig);
    const app = await appWithSecret(s);
    const retired = await currentVersion(app.arn);
    // The application's owner rotated it by hand: a new password in the database and a new AWSCURRENT.
    const newer = `Newer-Passw0rd-${app.role}`;
    await s.su(`ALTER ROLE ${q(app.role)} PASSWORD ${escapeLiteral(newer)}`);
    await rig.secrets.send(new PutSecretValueCommand({ SecretId: app.arn, SecretString: JSON.stringify({ ...(await s.secretValue(app.arn)), password: newer }) }));
    const current = await currentVersion(app.arn);

    const response = await rig.rotator.action({
      action: 'restore-password',
      target: s.target,
      params: { role: app.role, secretName: app.arn, versionId: retired as string },
    });

    expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'request.params.secretName' } });
    expect(await logsIn(app.role, newer, s.db.name)).toBe(true);
    expect(await logsIn(app.role, app.password, s.db.name)).toBe(false);
    expect(await currentVersion(app.arn)).toBe(current);
  });
});

describe("a login squatting a role's advisory-lock key", () => {
  /** Another login of the database, holding the role's key in its own session, as an attacker would. */
  async function squat(s: Scenario, role: string): Promise<{ pid: number; release(): Promise<void> }> {
    const squatter = await s.managedRole('squatter');
    const client = new pg.Client(connectionConfig({ user: squatter, password: `Passw0rd-${squatter}`, database: s.db.name }));
    await client.connect();
    const [namespace, key] = roleLockKey(role);
    await client.query('SELECT pg_advisory_lock($1, $2)', [namespace, key]);
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid as number;
    return { pid, release: () => client.end() };
  }

  it.each([
    ['lock-user', (role: string) => ({ action: 'lock-user' as const, params: { role } })],
    ['drop-user', (role: string) => ({ action: 'drop-user' as const, params: { role } })],
  ])('makes %s refuse at once with ACTION_REFUSED naming the pid, and changes nothing; it succeeds once the lock is released', async (_name, call) => {
    const s = await scenario(rig);
    const app = await appWithSecret(s);
    const squatter = await squat(s, app.role);
    try {
      const refused = await rig.rotator.action({ ...call(app.role), target: s.target } as Parameters<typeof rig.rotator.action>[0]);

      expect(refused).toMatchObject({ ok: false, error: { code: 'ACTION_REFUSED' } });
      expect(refused.error?.message).toContain(`pid ${squatter.pid}`);
      expect(refused.error?.message).toContain('nothing was changed');
      // Not the DB_TIMEOUT a waiting lock ran into once the statement timeout passed.
      expect(await logsIn(app.role, app.password, s.db.name)).toBe(true);
    } finally {
      await squatter.release();
    }
    expect(await rig.rotator.action({ ...call(app.role), target: s.target } as Parameters<typeof rig.rotator.action>[0])).toMatchObject({ ok: true });
  });

  it('makes expire-temporary-users skip that user naming the pid (the run goes on), and it is dropped once the lock is released', async () => {
    const s = await scenario(rig);
    const temporary = await s.managedRole(LOCKS_PREFIX.slice(0, -1));
    await s.su(`ALTER ROLE ${q(temporary)} VALID UNTIL '2000-01-01T00:00:00Z'; COMMENT ON ROLE ${q(temporary)} IS 'pg-rotator:temporary-user'`);
    const squatter = await squat(s, temporary);
    try {
      const skipped = await rig.rotator.action({ action: 'expire-temporary-users', target: s.target, params: {} });
      expect(skipped).toMatchObject({ ok: true });
      expect(skipped.result?.dropped).not.toContain(temporary);
      expect(skipped.result?.skipped).toContainEqual({ role: temporary, reason: expect.stringContaining(`pid ${squatter.pid}`) });
      expect(await s.su('SELECT 1 FROM pg_roles WHERE rolname = $1', [temporary])).toHaveLength(1);
    } finally {
      await squatter.release();
    }
    const expired = await rig.rotator.action({ action: 'expire-temporary-users', target: s.target, params: {} });
    expect(expired).toMatchObject({ ok: true, result: { dropped: [temporary] } });
  });
});
