import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, uniqueName } from '../support/postgres';
import type { RotationStack } from '../support/rotation-stack';
import { createLogin, logsIn, startRotationStack } from '../support/rotation-stack';

describe('passwords from Secrets Manager (PASSWORD_SOURCE=secrets-manager)', () => {
  let stack: RotationStack;
  beforeAll(async () => {
    stack = await startRotationStack({ PASSWORD_SOURCE: 'secrets-manager', PASSWORD_LENGTH: '40', EXCLUDE_PUNCTUATION: 'true' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("asks GetRandomPassword, with the function's policy, once per rotation", async () => {
    const db = await freshDatabase();
    const arn = await stack.createSecret(uniqueName('app_secret'), await createLogin(db, uniqueName('app'), 'Original-Passw0rd'));
    stack.secretsManager.resetCalls();

    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });

    expect(stack.secretsManager.calls('GetRandomPassword')).toBe(1);
    const current = await stack.value(arn);
    expect(current.password).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(await logsIn(current)).toEqual({ ok: true });
  });
});

describe('passwords drawn locally (the default)', () => {
  let stack: RotationStack;
  beforeAll(async () => {
    stack = await startRotationStack({ PASSWORD_LENGTH: '24', EXCLUDE_CHARACTERS: '' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('never calls GetRandomPassword and honours the policy, every printable class included', async () => {
    const db = await freshDatabase();
    const arn = await stack.createSecret(uniqueName('app_secret'), await createLogin(db, uniqueName('app'), 'Original-Passw0rd'));
    stack.secretsManager.resetCalls();

    expect(await stack.rotate(arn)).toMatchObject({ succeeded: true });

    expect(stack.secretsManager.calls('GetRandomPassword')).toBe(0);
    const current = await stack.value(arn);
    expect(current.password).toHaveLength(24);
    expect(current.password).toMatch(/[^A-Za-z0-9]/);
    expect(await logsIn(current)).toEqual({ ok: true });
  });
});
