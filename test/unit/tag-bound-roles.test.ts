import { describe, expect, it } from 'vitest';
import { cachedTagBoundRoles, roleFieldsFromTags, tagBoundRolesOf } from '../../lambda/rotation/tag-bound-roles';
import type { TaggedSecret } from '../../lambda/secrets/tagged-secrets';

const tagged = (tags: Record<string, string>): TaggedSecret => ({
  arn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:app-AbCdEf',
  tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
});

describe('the roles tags name', () => {
  it("an alternating pair's logins (its _clone when none is named), and an owner role", () => {
    const roles = tagBoundRolesOf([
      tagged({ 'pg-rotator:strategy': 'alternating', 'pg-rotator:username': 'app' }),
      tagged({ 'pg-rotator:strategy': 'alternating-owner', 'pg-rotator:username': 'web_a', 'pg-rotator:alternate-username': 'web_b', 'pg-rotator:owner-role': 'web_owner' }),
      tagged({ 'pg-rotator:strategy': 'admin', 'pg-rotator:username': 'batch' }),
    ]);
    expect([...roles.logins].sort()).toEqual(['app', 'app_clone', 'batch', 'web_a', 'web_b']);
    expect([...roles.ownerRoles]).toEqual(['web_owner']);
  });

  it('read leniently: a binding the rotation would refuse still names the roles it would touch', () => {
    expect(roleFieldsFromTags([{ Key: 'pg-rotator:username', Value: 'app' }, { Key: 'pg-rotator:strategy', Value: 'alternatng' }])).toEqual({
      strategy: undefined,
      username: 'app',
      alternateUsername: undefined,
      ownerRole: undefined,
    });
    // No strategy that says otherwise: the _clone is counted too.
    expect([...tagBoundRolesOf([tagged({ 'pg-rotator:username': 'app' })]).logins]).toEqual(['app', 'app_clone']);
    expect(tagBoundRolesOf([tagged({ 'pg-rotator:username': '' }), tagged({ team: 'x' })]).logins.size).toBe(0);
  });
});

describe('the per-container cache', () => {
  const counting = (result: () => Promise<TaggedSecret[]>) => {
    const calls = { n: 0 };
    return { calls, list: () => ((calls.n += 1), result()) };
  };

  it('lists once per TTL, sharing one listing between concurrent callers', async () => {
    let clock = 0;
    const { calls, list } = counting(async () => [tagged({ 'pg-rotator:username': 'app', 'pg-rotator:strategy': 'admin' })]);
    const roles = cachedTagBoundRoles(list, { ttlMs: 1000, now: () => clock });
    const [a, b] = await Promise.all([roles(), roles()]);
    expect(a).toBe(b);
    expect([...a.logins]).toEqual(['app']);
    clock = 999;
    await roles();
    expect(calls.n).toBe(1);
    clock = 1000;
    await roles();
    expect(calls.n).toBe(2);
  });

  it('keeps no failed listing: every caller meanwhile gets the error, and the next one lists again', async () => {
    let fail = true;
    const { calls, list } = counting(async () => {
      if (fail) throw new Error('AccessDeniedException');
      return [];
    });
    const roles = cachedTagBoundRoles(list, { ttlMs: 60_000, now: () => 0 });
    await expect(roles()).rejects.toThrow('AccessDeniedException');
    fail = false;
    await expect(roles()).resolves.toEqual({ logins: new Set(), ownerRoles: new Set() });
    expect(calls.n).toBe(2);
  });
});
