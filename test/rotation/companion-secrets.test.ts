/**
 * Companion secrets through real rotations (RotateSecret, the local endpoints, real PostgreSQL): one secret per
 * login, declared in the secret's rotation binding as a deployment declares it, each holding its login's newest
 * password after every rotation,
 * which is what RDS Proxy needs to serve both logins of an alternating pair. The fault-injection suite checks them
 * at every moment of a hurt rotation (test/safety/companion-secrets-faults.db.test.ts).
 */
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Strategy } from '../../lambda/config/environment';
import { createStrategySecret } from '../safety/support/strategy-secrets';
import type { FreshDatabase } from '../support/postgres';
import { canLogIn, freshDatabase, uniqueName } from '../support/postgres';
import type { RotationStack } from '../support/rotation-stack';
import { startRotationStack } from '../support/rotation-stack';

let stack: RotationStack;
let db: FreshDatabase;

beforeAll(async () => {
  stack = await startRotationStack();
  db = await freshDatabase();
});
afterAll(async () => {
  await stack?.close();
});

/** A secret of the strategy with an empty companion secret per login, declared in its binding. */
async function withCompanions(strategy: Strategy, logins: (username: string) => readonly string[]) {
  const secret = await db.withSuperuser((superuser) => createStrategySecret({ superuser, createSecret: stack.createSecret }, db, strategy));
  const sm = stack.secretsClient();
  const companions = new Map<string, string>();
  const fields: Record<string, string> = {};
  for (const [index, login] of logins(secret.original.username).entries()) {
    const arn = (await sm.send(new CreateSecretCommand({ Name: uniqueName('companion') }))).ARN as string;
    companions.set(login, arn);
    fields[index === 0 ? 'usernameCompanionSecretArn' : 'alternateUsernameCompanionSecretArn'] = arn;
  }
  const binding = stack.declarations.fileBinding(secret.arn) ?? { secretArn: secret.arn, strategy };
  stack.declarations.bind({ ...binding, username: secret.original.username, ...fields });
  return { secret, companions };
}

async function companion(arn: string) {
  const out = await stack.secretsClient().send(new GetSecretValueCommand({ SecretId: arn }));
  return { versionId: out.VersionId, value: JSON.parse(out.SecretString as string) as Record<string, unknown> };
}

async function versionOf(arn: string, stage: string): Promise<string | undefined> {
  const { VersionIdsToStages: stages = {} } = await stack.secretsClient().send(new DescribeSecretCommand({ SecretId: arn }));
  return Object.entries(stages).find(([, labels]) => labels.includes(stage))?.[0];
}

describe('companion secrets', () => {
  it("alternating: after every rotation each login's companion holds that login's newest password, which logs in", async () => {
    const { secret, companions } = await withCompanions('alternating', (user) => [user, `${user}_clone`]);

    for (let rotation = 1; rotation <= 3; rotation += 1) {
      expect(await stack.rotate(secret.arn), `rotation ${rotation}`).toMatchObject({ succeeded: true });
      const current = await stack.value(secret.arn);
      const previous = await stack.value(secret.arn, 'AWSPREVIOUS');
      for (const [version, stage] of [[current, 'AWSCURRENT'], [previous, 'AWSPREVIOUS']] as const) {
        const held = await companion(companions.get(version.username) as string);
        expect(held.value).toEqual({ engine: 'postgres', host: version.host, port: version.port, dbname: version.dbname, username: version.username, password: version.password });
        expect(held.versionId, `the companion carries the id of the ${stage} version`).toBe(await versionOf(secret.arn, stage));
        expect(await canLogIn({ user: version.username, password: version.password, database: db.name })).toEqual({ ok: true });
      }
    }
  });

  it('single-user: the one companion follows the one login', async () => {
    const { secret, companions } = await withCompanions('single-user', (user) => [user]);

    expect(await stack.rotate(secret.arn)).toMatchObject({ succeeded: true });

    const current = await stack.value(secret.arn);
    expect((await companion(companions.get(current.username) as string)).value).toMatchObject({ username: current.username, password: current.password });
  });

  it('refuses, in createSecret and before any password changes, a declaration without a companion for the login the rotation changes', async () => {
    const { secret } = await withCompanions('alternating', (user) => [user]);

    const outcome = await stack.rotate(secret.arn);

    expect(outcome).toMatchObject({ succeeded: false, failedStep: 'createSecret', error: { type: 'InvalidInputError' } });
    expect(outcome.error?.message).toBe(`rotation-bindings.json: declare no companion secret for login "${secret.original.username}_clone", whose password this rotation changes`);
    expect(await stack.value(secret.arn)).toEqual(secret.original);
    expect(await canLogIn({ user: `${secret.original.username}_clone`, password: 'x', database: db.name })).toMatchObject({ ok: false });
  });
});
