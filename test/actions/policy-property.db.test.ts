/**
 * A property, on the real server: whatever policy a deployer writes and whatever action an orchestrator sends,
 * no role outside the policy gains or loses a membership, is locked, unlocked, created, dropped, re-passworded or
 * given privileges, and no protected role is touched at all. Each run builds a small world of roles (plain logins
 * and groups, a marker's member, a CREATEROLE login, members of rds_superuser directly and through a group, a
 * rotated login, marked temporary users), draws a policy and one request, runs it for real through the function's
 * own request handler, and compares the catalog before and after against an oracle written apart from the guard.
 * Bounded: a few dozen runs, one action each.
 */
import { escapeIdentifier as q, escapeLiteral } from 'pg';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_NAMES } from '../../lambda/actions/action-names';
import type { ActionName } from '../../lambda/actions/action-names';
import type { PermissionPolicy, PermissionPolicyInput } from '../../lambda/actions/permission-policy';
import { PermissionPolicySchema } from '../../lambda/actions/permission-policy';
import { handleOrchestratorRequest } from '../../lambda/requests/handle-request';
import { orchestratorDeps } from '../../lambda/requests/orchestrator-deps';
import { uniqueName } from '../support/postgres';
import { ensureRole } from './guard-support';
import type { Rig, Scenario } from './rig';
import { bindRotated, PASSWORD_PREFIX, passwordSecretName, scenario, startRig } from './rig';

const RUNS = 50;
const rotated = new Set<string>();
let rig: Rig;
let s: Scenario;

beforeAll(async () => {
  // A declared password prefix: without one, every action that writes a secret is refused before it is planned.
  rig = await startRig({ PASSWORD_SECRET_PREFIX: PASSWORD_PREFIX });
  s = await scenario(rig);
  await ensureRole(s, 'rds_superuser');
});
afterAll(async () => {
  await rig?.close();
});

/** The names of one run's world; every one starts with the run's tag. */
interface World {
  readonly tag: string;
  readonly temporaryPrefix: string;
  readonly names: Record<'u1' | 'u2' | 'g1' | 'g2' | 'marker' | 'dba' | 'ops' | 'deep' | 'app' | 'tmpOld' | 'tmpOps', string>;
}

async function buildWorld(): Promise<World> {
  const tag = uniqueName('pp');
  const temporaryPrefix = `${tag}_tmp_`;
  const n = (suffix: string) => `${tag}_${suffix}`;
  const names = {
    u1: n('u1'),
    u2: n('u2'),
    g1: n('g1'),
    g2: n('g2'),
    marker: n('marker'),
    dba: n('dba'),
    ops: n('ops'),
    deep: n('deep'),
    app: n('app'),
    tmpOld: `${temporaryPrefix}old`,
    tmpOps: `${temporaryPrefix}ops`,
  };
  const past = escapeLiteral(new Date(Date.now() - 60_000).toISOString());
  const marked = `COMMENT ON ROLE %s IS 'pg-rotator:temporary-user'`;
  await s.su(`
    CREATE ROLE ${q(names.u1)} LOGIN PASSWORD 'Passw0rd-u1';
    CREATE ROLE ${q(names.u2)} LOGIN PASSWORD 'Passw0rd-u2';
    CREATE ROLE ${q(names.g1)} NOLOGIN;
    CREATE ROLE ${q(names.g2)} NOLOGIN;
    CREATE ROLE ${q(names.marker)} NOLOGIN;
    GRANT ${q(names.marker)} TO ${q(names.u2)};
    GRANT ${q(names.g1)} TO ${q(names.u1)};
    CREATE ROLE ${q(names.dba)} LOGIN CREATEROLE PASSWORD 'Passw0rd-dba';
    CREATE ROLE ${q(names.ops)} NOLOGIN;
    GRANT rds_superuser TO ${q(names.ops)};
    CREATE ROLE ${q(names.deep)} LOGIN PASSWORD 'Passw0rd-deep';
    GRANT ${q(names.ops)} TO ${q(names.deep)};
    CREATE ROLE ${q(names.app)} LOGIN PASSWORD 'Passw0rd-app';
    CREATE ROLE ${q(names.tmpOld)} LOGIN PASSWORD 'Passw0rd-old' VALID UNTIL ${past};
    ${marked.replace('%s', q(names.tmpOld))};
    CREATE ROLE ${q(names.tmpOps)} LOGIN PASSWORD 'Passw0rd-ops' VALID UNTIL ${past};
    ${marked.replace('%s', q(names.tmpOps))};
    GRANT ${q(names.ops)} TO ${q(names.tmpOps)};
    GRANT USAGE ON SCHEMA app TO ${q(names.u1)};
    GRANT SELECT ON app.accounts TO ${q(names.u1)};
  `);
  if (s.majorVersion >= 16) {
    // As an RDS master that created them: ADMIN OPTION on everything, so the server alone would allow each change.
    const all = [...Object.values(names), 'rds_superuser', 'pg_monitor'].map(q).join(', ');
    await s.su(`GRANT ${all} TO ${q(s.admin.name)} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
  }
  rotated.add(names.app);
  bindRotated(rig, { username: names.app });
  return { tag, temporaryPrefix, names };
}

/**
 * Roles as the arbitraries name them, resolved against each run's world: its own roles by their key, and the
 * scenario's and cluster's shared ones (the admin, the schema's owner, rds_superuser, pg_monitor).
 */
const ROLES = ['u1', 'u2', 'g1', 'g2', 'marker', 'dba', 'ops', 'deep', 'app', 'tmpOld', 'tmpOps', 'admin', 'owner', 'rds_superuser', 'pg_monitor'] as const;
type RoleKey = (typeof ROLES)[number];
const NEW_ROLES = ['tmpNew', 'new', 'u1', 'rds_new'] as const;
type NewKey = (typeof NEW_ROLES)[number];
const PATTERNS = ['u1', 'u2', 'g1', 'dba', 'deep', 'app', 'tag_u*', 'tag_*', '*', 'nobody_*'] as const;

function resolve(w: World, key: RoleKey | NewKey | string): string {
  if (key === 'admin') return s.admin.name;
  if (key === 'owner') return s.owner;
  if (key === 'rds_superuser' || key === 'pg_monitor' || key === 'rds_new' || key === '*' || key === 'nobody_*') return key;
  if (key === 'tmpNew') return `${w.temporaryPrefix}new`;
  if (key === 'new') return `${w.tag}_new`;
  if (key.startsWith('tag_')) return `${w.tag}_${key.slice(4)}`;
  return w.names[key as keyof World['names']];
}

/** Half the time one of the world's ordinary roles, so that runs are allowed too, not only refused. */
const roleKey = fc.oneof(fc.constantFrom<RoleKey>('u1', 'u2', 'g1', 'g2', 'tmpOld'), fc.constantFrom(...ROLES));

/** A policy over symbolic names: patterns that match some, all or none of a world's roles. */
const policyArbitrary = fc.record({
  actions: fc.subarray([...ACTION_NAMES], { minLength: 1 }),
  // Wide patterns often, so that many runs are allowed to change something and the oracle has work to do.
  names: fc.oneof(
    { arbitrary: fc.constant<string[]>(['*']), weight: 2 },
    { arbitrary: fc.constant<string[]>(['tag_*']), weight: 2 },
    { arbitrary: fc.subarray<string>([...PATTERNS], { maxLength: 3 }), weight: 3 },
  ),
  marker: fc.boolean(),
  grants: fc.array(fc.record({ role: fc.constantFrom<string>('g1', 'g2', 'marker', 'ops', 'rds_superuser', 'pg_monitor', 'owner', 'tag_g*', '*', '*'), adminOption: fc.boolean() }), { minLength: 1, maxLength: 3 }),
  schemas: fc.subarray(['app', 'other', '*'], { minLength: 1 }),
  maxValidity: fc.constantFrom('1h', '8h', '2d'),
  temporaryRoles: fc.subarray(['g1', 'g2', 'ops', 'pg_monitor', '*'], { minLength: 1 }),
  protectedRoles: fc.subarray(['u1', 'tag_g2'], { maxLength: 1 }),
});
type DrawnPolicy = typeof policyArbitrary extends fc.Arbitrary<infer T> ? T : never;

function policyFor(w: World, drawn: DrawnPolicy): PermissionPolicy {
  const r = (key: string) => resolve(w, key);
  const input: PermissionPolicyInput = {
    actions: drawn.actions,
    // The schema wants a way to name roles whenever an action acts on them; a pattern nobody matches is one.
    roles: { names: drawn.names.length === 0 ? ['nobody_*'] : drawn.names.map(r), ...(drawn.marker ? { memberOf: w.names.marker } : {}) },
    grants: drawn.grants.map((entry) => ({ role: r(entry.role), adminOption: entry.adminOption })),
    schemas: drawn.schemas,
    temporaryUsers: { prefix: w.temporaryPrefix, maxValidity: drawn.maxValidity, roles: drawn.temporaryRoles.map(r) },
    protectedRoles: drawn.protectedRoles.map(r),
  };
  return PermissionPolicySchema.parse(input);
}

/** One request over symbolic names, protected ones and the admin included. */
const requestArbitrary = fc.oneof(
  fc.record({ action: fc.constant('rotate-password' as const), role: roleKey }),
  fc.record({ action: fc.constantFrom('lock-user' as const, 'unlock-user' as const), role: roleKey }),
  fc.record({ action: fc.constant('drop-user' as const), role: roleKey, reassignOwnedTo: fc.option(roleKey, { nil: undefined }) }),
  fc.record({ action: fc.constant('grant-role' as const), role: roleKey, grantedRole: roleKey, adminOption: fc.boolean() }),
  fc.record({ action: fc.constant('revoke-role' as const), role: roleKey, grantedRole: roleKey }),
  fc.record({ action: fc.constant('create-read-only-user' as const), role: fc.constantFrom(...NEW_ROLES) }),
  fc.record({
    action: fc.constant('create-temporary-user' as const),
    role: fc.oneof(fc.constant<NewKey>('tmpNew'), fc.constantFrom(...NEW_ROLES)),
    hours: fc.oneof(fc.constant(0.5), fc.constantFrom(0.5, 5, 30, 72)),
    memberOf: fc.oneof(fc.subarray<RoleKey>(['g1', 'g2'], { minLength: 1 }), fc.subarray<RoleKey>(['g1', 'g2', 'ops', 'pg_monitor', 'owner'], { minLength: 1 })),
  }),
  fc.record({ action: fc.constant('expire-temporary-users' as const) }),
  fc.record({ action: fc.constantFrom('grant-privileges' as const, 'revoke-privileges' as const), role: roleKey, table: fc.boolean() }),
  fc.record({ action: fc.constant('revoke-all-privileges' as const), role: roleKey }),
);
type DrawnRequest = typeof requestArbitrary extends fc.Arbitrary<infer T> ? T : never;

function requestFor(w: World, drawn: DrawnRequest): { action: ActionName; params: Record<string, unknown> } {
  const r = (key: string) => resolve(w, key);
  const secretName = passwordSecretName('pp');
  switch (drawn.action) {
    case 'rotate-password':
      return { action: drawn.action, params: { role: r(drawn.role), secretName } };
    case 'lock-user':
    case 'unlock-user':
    case 'revoke-all-privileges':
      return { action: drawn.action, params: drawn.action === 'revoke-all-privileges' ? { role: r(drawn.role), schema: 'app' } : { role: r(drawn.role) } };
    case 'drop-user':
      return { action: drawn.action, params: { role: r(drawn.role), ...(drawn.reassignOwnedTo ? { reassignOwnedTo: r(drawn.reassignOwnedTo) } : {}) } };
    case 'grant-role':
      return { action: drawn.action, params: { role: r(drawn.role), grantedRole: r(drawn.grantedRole), adminOption: drawn.adminOption } };
    case 'revoke-role':
      return { action: drawn.action, params: { role: r(drawn.role), grantedRole: r(drawn.grantedRole) } };
    case 'create-read-only-user':
      return { action: drawn.action, params: { role: r(drawn.role), schemas: ['app'], secretName } };
    case 'create-temporary-user':
      return {
        action: drawn.action,
        params: { role: r(drawn.role), validUntil: new Date(Date.now() + drawn.hours * 3_600_000).toISOString(), memberOf: drawn.memberOf.map(r), secretName },
      };
    case 'expire-temporary-users':
      return { action: drawn.action, params: {} };
    case 'grant-privileges':
    case 'revoke-privileges': {
      const grant = drawn.table
        ? { on: 'table', schema: 'app', name: 'accounts', privileges: ['SELECT', 'UPDATE'], grantable: false, grantor: s.owner }
        : { on: 'schema', schema: 'app', privileges: ['USAGE'], grantable: false, grantor: s.owner };
      return { action: drawn.action, params: { role: r(drawn.role), grants: [grant] } };
    }
  }
}

/** What an action could change, as the superuser reads it. */
interface Catalog {
  readonly roles: Map<string, { login: boolean; password: string | null; validUntil: string | null; superuser: boolean; createrole: boolean; bypassrls: boolean; replication: boolean }>;
  /** `member→role` with its options. */
  readonly memberships: Map<string, { admin: boolean; inherit: boolean }>;
  /** `grantee|object|privilege`. */
  readonly privileges: Set<string>;
}

async function readCatalog(w: World): Promise<Catalog> {
  const scope = [s.admin.name, s.owner, 'rds_superuser', 'pg_monitor'];
  const roles = await s.su(
    `SELECT rolname, rolcanlogin, rolpassword, rolvaliduntil::text AS valid, rolsuper, rolcreaterole, rolbypassrls, rolreplication
       FROM pg_catalog.pg_authid WHERE starts_with(rolname, $1) OR rolname = ANY($2)`,
    [w.tag, scope],
  );
  const inherit = s.majorVersion >= 16 ? 'am.inherit_option OR am.set_option' : 'true';
  const memberships = await s.su(
    `SELECT m.rolname AS member, g.rolname AS role, am.admin_option AS admin, ${inherit} AS inherit
       FROM pg_catalog.pg_auth_members am JOIN pg_catalog.pg_roles m ON m.oid = am.member JOIN pg_catalog.pg_roles g ON g.oid = am.roleid
      WHERE starts_with(m.rolname, $1) OR starts_with(g.rolname, $1) OR m.rolname = ANY($2)`,
    [w.tag, scope],
  );
  const privileges = await s.su(
    `SELECT pg_catalog.pg_get_userbyid(a.grantee) AS grantee, o.what, a.privilege_type AS privilege
       FROM (SELECT 'schema app' AS what, nspacl AS acl FROM pg_catalog.pg_namespace WHERE nspname = 'app'
             UNION ALL SELECT 'table ' || relname, relacl FROM pg_catalog.pg_class WHERE relnamespace = 'app'::regnamespace) o
      CROSS JOIN LATERAL pg_catalog.aclexplode(o.acl) a
      WHERE a.grantee <> 0 AND starts_with(pg_catalog.pg_get_userbyid(a.grantee), $1)`,
    [w.tag],
  );
  return {
    roles: new Map(
      roles.map((r) => [
        r.rolname as string,
        {
          login: r.rolcanlogin as boolean,
          password: r.rolpassword as string | null,
          validUntil: r.valid as string | null,
          superuser: r.rolsuper as boolean,
          createrole: r.rolcreaterole as boolean,
          bypassrls: r.rolbypassrls as boolean,
          replication: r.rolreplication as boolean,
        },
      ]),
    ),
    memberships: new Map(memberships.map((m) => [`${m.member as string}→${m.role as string}`, { admin: m.admin as boolean, inherit: m.inherit as boolean }])),
    privileges: new Set(privileges.map((p) => `${p.grantee as string}|${p.what as string}|${p.privilege as string}`)),
  };
}

const matches = (patterns: readonly string[], name: string) =>
  patterns.some((pattern) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's').test(name));

/**
 * The oracle, written apart from the guard: which roles are protected in this world (by attribute, name, the
 * admin's holdings, rotation, the policy's list, and membership, followed through the catalog), and which roles
 * the policy lets actions touch.
 */
function oracle(w: World, policy: PermissionPolicy, before: Catalog) {
  const edges = [...before.memberships.entries()].map(([key, options]) => ({ member: key.split('→')[0] as string, role: key.split('→')[1] as string, ...options }));
  const held = new Set<string>([s.admin.name]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const edge of edges) {
      if (held.has(edge.member) && edge.inherit && !held.has(edge.role)) {
        held.add(edge.role);
        grew = true;
      }
    }
  }
  const base = (name: string) => {
    const facts = before.roles.get(name);
    return (
      held.has(name) ||
      name.startsWith('pg_') ||
      name.startsWith('rds_') ||
      rotated.has(name) ||
      matches(policy.protectedRoles, name) ||
      (facts !== undefined && (facts.superuser || facts.createrole || facts.bypassrls || facts.replication))
    );
  };
  const ancestors = (name: string): Set<string> => {
    const found = new Set<string>();
    const visit = (member: string) => {
      for (const edge of edges) {
        if (edge.member === member && !found.has(edge.role)) {
          found.add(edge.role);
          visit(edge.role);
        }
      }
    };
    visit(name);
    return found;
  };
  const isProtected = (name: string) => base(name) || [...ancestors(name)].some(base);
  const isTemporary = (name: string) => name.startsWith(w.temporaryPrefix);
  const covered = (name: string) =>
    matches(policy.roles.names, name) || (policy.roles.memberOf !== undefined && ancestors(name).has(policy.roles.memberOf)) || isTemporary(name);
  return {
    isProtected,
    /** A role an enabled action may change: covered by the policy and not protected. */
    mayChange: (name: string) => !isProtected(name) && covered(name),
    mayGrant: (role: string, adminOption: boolean, temporaryMember: boolean) =>
      !isProtected(role) &&
      role !== policy.roles.memberOf &&
      (temporaryMember
        ? matches(policy.temporaryUsers?.roles ?? [], role) && !adminOption
        : policy.grants.some((entry) => matches([entry.role], role) && (entry.adminOption || !adminOption))),
  };
}

/** A policy that names every role, allows any grant with ADMIN OPTION, any schema and the longest validity. */
const WIDE: DrawnPolicy = {
  actions: [...ACTION_NAMES],
  names: ['*'],
  marker: false,
  grants: [{ role: '*', adminOption: true }],
  schemas: ['*'],
  maxValidity: '2d',
  temporaryRoles: ['*'],
  protectedRoles: [],
};

/**
 * Requests a wide policy allows on roles nothing protects, each of which must change the catalog. Run first every
 * time, they keep the property from passing by refusing everything, deterministically: a floor on how many random
 * runs change something is a coin toss (7 to 15 of 50 did, on PostgreSQL 14).
 */
const MUST_CHANGE: readonly DrawnRequest[] = [
  { action: 'rotate-password', role: 'u1' },
  { action: 'lock-user', role: 'u2' },
  { action: 'grant-role', role: 'u2', grantedRole: 'g1', adminOption: false },
  { action: 'create-read-only-user', role: 'new' },
  { action: 'create-temporary-user', role: 'tmpNew', hours: 5, memberOf: ['g1'] },
  { action: 'revoke-privileges', role: 'u1', table: true },
  { action: 'drop-user', role: 'u2', reassignOwnedTo: undefined },
];

describe('random policies and random requests', () => {
  it(`never produce a grant, lock, drop, password or privilege outside the policy (${RUNS} runs)`, async () => {
    const unchanged: string[] = [];
    let examplesRun = 0;
    await fc.assert(
      // Most policies enable the requested action: a disabled one is refused before anything else is looked at.
      fc.asyncProperty(policyArbitrary, requestArbitrary, fc.nat(9), async (drawnPolicy, drawnRequest, dice) => {
        const w = await buildWorld();
        const actions = dice < 7 ? [...new Set([...drawnPolicy.actions, drawnRequest.action])] : drawnPolicy.actions;
        const policy = policyFor(w, { ...drawnPolicy, actions });
        const request = requestFor(w, drawnRequest);
        const before = await readCatalog(w);
        const deps = { ...orchestratorDeps(rig.stack.runtime), permissionPolicy: policy };
        const response = await handleOrchestratorRequest({ kind: 'action', target: s.target, ...request }, deps);
        const after = await readCatalog(w);
        const o = oracle(w, policy, before);
        const why = `${request.action} ${JSON.stringify(request.params)} under ${JSON.stringify(policy)} → ${JSON.stringify(response.error ?? 'ok')}`;
        const enabled = policy.actions.includes(request.action);
        let changed = false;

        for (const [name, facts] of before.roles) {
          const now = after.roles.get(name);
          if (now === undefined || now.login !== facts.login || now.password !== facts.password || now.validUntil !== facts.validUntil) {
            changed = true;
            expect(enabled && o.mayChange(name), `${name} changed: ${why}`).toBe(true);
          }
        }
        for (const name of after.roles.keys()) {
          if (before.roles.has(name)) continue;
          changed = true;
          const allowedName = isTemporaryCreation(request.action) ? name.startsWith(w.temporaryPrefix) : matches(policy.roles.names, name);
          expect(enabled && allowedName && !o.isProtected(name), `${name} created: ${why}`).toBe(true);
          const until = after.roles.get(name)?.validUntil;
          if (isTemporaryCreation(request.action)) {
            expect(until !== null && until !== undefined && Date.parse(until) - Date.now() <= (VALIDITY_MS[policy.temporaryUsers?.maxValidity ?? ''] ?? 0), `${name} valid until ${until}: ${why}`).toBe(true);
          }
        }
        for (const [key, options] of after.memberships) {
          const previous = before.memberships.get(key);
          if (previous && previous.admin === options.admin) continue;
          const [member, role] = key.split('→') as [string, string];
          // PostgreSQL 16+ grants a CREATEROLE role ADMIN OPTION on each role it creates (createrole_self_grant).
          if (member === s.admin.name && !before.roles.has(role)) continue;
          changed = true;
          const created = !before.roles.has(member);
          expect(enabled && (created || o.mayChange(member)) && o.mayGrant(role, options.admin, created && isTemporaryCreation(request.action)), `${key} granted: ${why}`).toBe(true);
        }
        for (const key of before.memberships.keys()) {
          if (after.memberships.has(key)) continue;
          const [member, role] = key.split('→') as [string, string];
          changed = true;
          // A membership of a dropped role goes with it; the drop itself was checked with the roles above.
          if (!after.roles.has(member) || !after.roles.has(role)) continue;
          expect(enabled && o.mayChange(member) && o.mayGrant(role, false, false), `${key} revoked: ${why}`).toBe(true);
        }
        for (const entry of new Set([...before.privileges, ...after.privileges])) {
          if (before.privileges.has(entry) === after.privileges.has(entry)) continue;
          changed = true;
          const grantee = entry.split('|')[0] as string;
          const created = !before.roles.has(grantee);
          expect(enabled && (created || o.mayChange(grantee)) && matches(policy.schemas, 'app'), `${entry}: ${why}`).toBe(true);
        }
        if (drawnPolicy === WIDE && MUST_CHANGE.includes(drawnRequest)) {
          examplesRun += 1;
          if (!changed) unchanged.push(why);
        }
        if (!response.ok) expect(response.error?.code, why).not.toBe('INTERNAL');
        // A password secret exists only for a request that went through: a refused one hands out no password.
        const secretName = request.params.secretName;
        if (typeof secretName === 'string') expect(await s.secretValue(secretName), `secret ${secretName}: ${why}`)[response.ok ? 'toBeDefined' : 'toBeUndefined']();
      }),
      { numRuns: RUNS, examples: MUST_CHANGE.map((request) => [WIDE, request, 0]) },
    );
    // The property is worth something only if runs were allowed to change things, not just refused.
    expect(examplesRun).toBe(MUST_CHANGE.length);
    expect(unchanged).toEqual([]);
  });
});

/** The policy's maxValidity values the arbitraries draw, in milliseconds (apart from the function's own parser). */
const VALIDITY_MS: Record<string, number> = { '1h': 3_600_000, '8h': 8 * 3_600_000, '2d': 48 * 3_600_000 };

function isTemporaryCreation(action: ActionName): boolean {
  return action === 'create-temporary-user';
}
