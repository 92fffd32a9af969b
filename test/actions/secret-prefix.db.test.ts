import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../support/postgres';
import type { Rig, Scenario } from './rig';
import { scenario, startRig } from './rig';

describe('PASSWORD_SECRET_PREFIX', () => {
  let rig: Rig;
  let s: Scenario;
  beforeAll(async () => {
    rig = await startRig({ PASSWORD_SECRET_PREFIX: 'pg-rotator/' });
    s = await scenario(rig);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('refuses a password secret outside the prefix, naming the field, before touching the role', async () => {
    const role = await s.managedRole('app');
    const before = await s.discover([role]);

    const response = await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role, secretName: 'prod/orders/app' } });

    expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'request.params.secretName' } });
    expect(response.error?.message).toContain('pg-rotator/');
    expect(await s.discover([role])).toEqual(before);
  });

  it('accepts a name under the prefix, as a name or as an ARN', async () => {
    const role = await s.managedRole('app');
    const name = `pg-rotator/${uniqueName('app')}`;

    const created = await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role, secretName: name } });
    const arn = (created.result as { secret: { secretId: string } }).secret.secretId;
    expect(arn).toMatch(/^arn:aws:secretsmanager:.*:secret:pg-rotator\//);
    const again = await rig.rotator.action({ action: 'rotate-password', target: s.target, params: { role, secretName: arn } });

    expect(created).toMatchObject({ ok: true });
    expect(again).toMatchObject({ ok: true });
  });
});
