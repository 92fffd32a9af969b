/**
 * Different powers for different callers (issue 12, item 4): each orchestrator profile is its own function, with its
 * own admin allow list and permission policy. Two profiles on the local endpoints, as the construct deploys them: a
 * request to one cannot act as the other's admin secret, nor run an action only the other's policy enables, and the
 * audit record names the profile that answered. (IAM's half, each function's own role, is in test/infra/profiles.test.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier as q } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgRotatorClient } from '../../client/pg-rotator-client';
import { SCHEDULED_CALLER } from '../../lambda/requests/caller';
import type { PermissionPolicyInput } from '../../lambda/actions/permission-policy';
import type { LocalStack } from '../../local/stack';
import { startLocalStack } from '../../local/stack';
import { freshDatabase, postgresServer, uniqueName } from '../support/postgres';
import { createLogin, logsIn } from '../support/rotation-stack';

const ACCESS_REQUESTS: PermissionPolicyInput = {
  actions: ['create-temporary-user', 'expire-temporary-users'],
  temporaryUsers: { prefix: 'tmp_', maxValidity: '8h', roles: ['app_*'] },
};
const INCIDENT: PermissionPolicyInput = { actions: ['lock-user', 'unlock-user'], roles: { names: ['app_*'] } };

let stack: LocalStack;
beforeAll(async () => {
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'pg-rotator-ca-')), 'ca.pem');
  writeFileSync(caFile, postgresServer().caPem ?? '');
  stack = await startLocalStack({
    env: { PGSSLMODE: 'verify-full', PGSSLROOTCERT: caFile },
    profiles: {
      'access-requests': { env: { PERMISSION_POLICY: JSON.stringify(ACCESS_REQUESTS) } },
      incident: { env: { PERMISSION_POLICY: JSON.stringify(INCIDENT) } },
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

const profile = (name: string) => {
  const found = stack.profiles.get(name);
  if (found === undefined) throw new Error(`no profile ${name}`);
  return { ...found, client: createPgRotatorClient({ functionName: found.arn, lambda: stack.lambdaClient(), caller: `${name} suite` }) };
};

describe('two profiles, two functions', () => {
  it("neither acts as the other's admin secret, nor runs what only the other's policy enables, and each audit names its profile", async () => {
    const db = await freshDatabase();
    const createAdmin = async (name: string) => {
      const admin = await createLogin(db, uniqueName(name), 'Admin-Passw0rd-1', 'CREATEROLE');
      const arn = (await stack.secretsClient().send(new CreateSecretCommand({ Name: uniqueName(`${name}_secret`), SecretString: JSON.stringify(admin) }))).ARN as string;
      return { admin, arn };
    };
    const accessAdmin = await createAdmin('access_admin');
    const incidentAdmin = await createAdmin('incident_admin');
    const access = profile('access-requests');
    const incident = profile('incident');
    access.declarations.declareAdmin(accessAdmin.arn);
    incident.declarations.declareAdmin(incidentAdmin.arn);
    const app = await createLogin(db, uniqueName('app'), 'App-Passw0rd-1');
    // PostgreSQL 16+: managed without holding it, as docs/deploy.md grants it; before 16, CREATEROLE suffices.
    if (db.server.major >= 16) {
      await db.withSuperuser(async (c) => void (await c.query(`GRANT ${q(app.username)} TO ${q(incidentAdmin.admin.username)} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`)));
    }
    const lock = (adminSecretArn: string) => ({ action: 'lock-user' as const, target: { adminSecretArn }, params: { role: app.username } });

    // An action its own policy enables, so that what refuses it is the admin allow list alone; sent as the profile's
    // expiry schedule sends it.
    const borrowed = await access.client.action({ action: 'expire-temporary-users', target: { adminSecretArn: incidentAdmin.arn }, params: {}, caller: SCHEDULED_CALLER });
    const borrowedDiscovery = await access.client.discover({ target: { adminSecretArn: incidentAdmin.arn } });
    expect(borrowed).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'request.target.adminSecretArn' } });
    expect(borrowedDiscovery).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'request.target.adminSecretArn' } });

    const disabled = await access.client.action(lock(accessAdmin.arn));
    expect(disabled).toMatchObject({ ok: false, error: { code: 'ACTION_REFUSED', rule: 'policy.action-disabled' } });
    expect(await logsIn(app)).toEqual({ ok: true });

    const locked = await incident.client.action(lock(incidentAdmin.arn));
    expect(locked.error, JSON.stringify(locked.error)).toBeNull();
    expect(await logsIn(app)).not.toEqual({ ok: true });

    const records = stack.functionLog
      .map((line) => JSON.parse(line) as { message: string; audit?: Record<string, unknown> })
      .filter((line) => line.message === 'audit');
    const audit = (requestId: string) => records.find((line) => line.audit?.requestId === requestId);
    expect([borrowed, borrowedDiscovery, disabled, locked].map((response) => audit(response.requestId)?.audit?.profile)).toEqual([
      'access-requests',
      'access-requests',
      'access-requests',
      'incident',
    ]);
    // What the profile's expiry alarm counts (infra/constructs/profile-alarms.ts): the fields its filter reads.
    expect(audit(borrowed.requestId)).toMatchObject({
      message: 'audit',
      audit: { caller: SCHEDULED_CALLER, action: 'expire-temporary-users', outcome: 'error', profile: 'access-requests' },
    });
  });
});
