/**
 * Secrets attached from other stacks are bound by `pg-rotator:*` tags, read from the gate's DescribeSecret, where the
 * deployment lets tags bind (ROTATION_BINDING_TAGS). Tags name only declared admin secrets, and a deployment that
 * does not let tags bind ignores them.
 */
import { CreateSecretCommand, TagResourceCommand } from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier as q } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueName } from '../support/postgres';
import type { AppSecret, RotationStack } from '../support/rotation-stack';
import { createLogin, logsIn, startRotationStack } from '../support/rotation-stack';

let tagsBind: RotationStack;
let tagsIgnored: RotationStack;
beforeAll(async () => {
  tagsBind = await startRotationStack({ ROTATION_BINDING_TAGS: 'true' });
  tagsIgnored = await startRotationStack();
});
afterAll(async () => {
  await tagsBind?.close();
  await tagsIgnored?.close();
});

async function tagged(stack: RotationStack, value: AppSecret, tags: Record<string, string>): Promise<string> {
  const out = await stack.secretsClient().send(
    new CreateSecretCommand({ Name: uniqueName('tagged'), SecretString: JSON.stringify(value), Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }),
  );
  return out.ARN as string;
}

async function adminAndApp(stack: RotationStack) {
  const db = await freshDatabase();
  const admin = await createLogin(db, uniqueName('rotator_admin'), 'Admin-Passw0rd-1', 'CREATEROLE');
  const adminArn = await stack.createSecret(uniqueName('admin_secret'), admin);
  const app = await createLogin(db, uniqueName('app'), 'App-Passw0rd-1');
  await db.withSuperuser(async (c) => void (await c.query(`GRANT ${q(app.username)} TO ${q(admin.username)} WITH ADMIN OPTION`)));
  return { admin, adminArn, app };
}

describe('pg-rotator:* tags', () => {
  it('bind a secret whose value names no admin: the admin strategy, from the tags, with a declared admin secret', async () => {
    const { adminArn, app } = await adminAndApp(tagsBind);
    tagsBind.declarations.declareAdmin(adminArn);
    const arn = await tagged(tagsBind, app, { 'pg-rotator:strategy': 'admin', 'pg-rotator:admin-secret': adminArn, 'pg-rotator:username': app.username });

    expect(await tagsBind.rotate(arn)).toMatchObject({ succeeded: true });
    expect(await logsIn(await tagsBind.value(arn))).toEqual({ ok: true });
    expect(await logsIn(app)).toMatchObject({ ok: false });
  });

  it('naming an admin secret the deployment did not declare: refused naming the tag, and nothing changes', async () => {
    const { admin, adminArn, app } = await adminAndApp(tagsBind);
    const arn = await tagged(tagsBind, app, { 'pg-rotator:strategy': 'admin', 'pg-rotator:admin-secret': adminArn, 'pg-rotator:username': app.username });

    const outcome = await tagsBind.rotate(arn);

    expect(outcome).toMatchObject({ succeeded: false, failedStep: 'createSecret' });
    expect(outcome.error?.message).toMatch(/^secret\.tags\.pg-rotator:admin-secret: /);
    expect(await logsIn(app)).toEqual({ ok: true });
    expect(await logsIn(admin)).toEqual({ ok: true });
  });

  it('added later by whoever may tag a secret bind nothing in a deployment that does not let tags bind', async () => {
    const { adminArn, app } = await adminAndApp(tagsIgnored);
    tagsIgnored.declarations.declareAdmin(adminArn);
    const arn = await tagsIgnored.createUndeclaredSecret(uniqueName('app_secret'), { ...app, strategy: 'admin', masterarn: adminArn });
    await tagsIgnored.secretsClient().send(
      new TagResourceCommand({
        SecretId: arn,
        Tags: [
          { Key: 'pg-rotator:strategy', Value: 'admin' },
          { Key: 'pg-rotator:admin-secret', Value: adminArn },
          { Key: 'pg-rotator:username', Value: app.username },
        ],
      }),
    );

    const outcome = await tagsIgnored.rotate(arn);

    expect(outcome).toMatchObject({ succeeded: false, failedStep: 'createSecret' });
    expect(outcome.error?.message).toMatch(/^secret\.strategy: .* has no rotation binding/);
    expect(await logsIn(app)).toEqual({ ok: true });
  });
});
