/**
 * Hostile input that reaches a real database: role names with quotes, semicolons, comments, non-ASCII letters,
 * exactly 63 bytes or more, NUL; passwords of every printable character; malformed requests. Each input either
 * works correctly (and then the only change in the whole catalogue is the one asked for) or is refused with a clear
 * error naming the field (and then nothing in the catalogue changed at all), and no password is echoed anywhere.
 *
 * The inputs go to a private throwaway cluster, so that "nothing changed" can be checked over the whole catalogue
 * (every role, membership, setting, database and ACL; catalog-snapshot.ts) without other test files interfering.
 */
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Strategy } from '../../lambda/config/environment';
import { clientConfig } from '../../local/postgres/client-config';
import type { RunningCluster } from '../../local/postgres/cluster';
import { startCluster } from '../../local/postgres/cluster';
import { readHarnessEnvironment } from '../../local/postgres/environment';
import { tryLogIn } from '../../local/postgres/login-probe';
import { serverSource, uniqueName } from '../support/postgres';
import { catalogSnapshot, changedKeys, changedRoleAttributes } from './support/catalog-snapshot';
import { hostileIdentifier, mutated, printablePassword } from './support/hostile-arbitraries';
import { echoes, identifiersIn, isIdentifier } from './support/input-oracles';
import type { Lane } from './support/lanes';
import { startLane } from './support/lanes';
import { SafetyFigures } from './support/safety-figures';
import { createStrategySecret, STRATEGIES } from './support/strategy-secrets';

const RUNS = { esc: 150, rotations: 40, actions: 100 } as const;
const figures = new SafetyFigures('hostile-input-database');
let cluster: RunningCluster;
let lane: Lane;
let admin: { username: string; password: string; arn: string };

describe.skipIf(serverSource() !== 'embedded')('hostile input against a real database', () => {
  beforeAll(async () => {
    cluster = await startCluster({ major: readHarnessEnvironment().PG_MAJOR, variant: 'tls' });
    // Generated passwords may hold every printable character, quotes and backslashes included.
    lane = await startLane({ server: cluster.server, env: { EXCLUDE_CHARACTERS: '' } });
    admin = { username: uniqueName('admin'), password: 'Admin-Passw0rd-For-Hostile-Tests', arn: '' };
    await lane.superuser.query(`CREATE ROLE ${pg.escapeIdentifier(admin.username)} LOGIN CREATEROLE PASSWORD ${pg.escapeLiteral(admin.password)}`);
    const { host, port } = cluster.server;
    admin.arn = await lane.createSecret(uniqueName('admin_secret'), { engine: 'postgres', host, port, username: admin.username, password: admin.password, dbname: lane.database.name });
    lane.declarations.declareAdmin(admin.arn);
  });
  afterAll(async () => {
    await lane?.close();
    await cluster?.stop();
    figures.publish();
  });

  it('Pulumi ESC events: the named role gets the new password, or the event is refused naming the field and nothing changes', async () => {
    const cases = fc.record({
      username: hostileIdentifier,
      newPassword: fc.oneof({ weight: 8, arbitrary: printablePassword }, { weight: 1, arbitrary: fc.constantFrom('', undefined) }),
      initial: printablePassword,
      database: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostileIdentifier }),
    });
    await fc.assert(
      fc.asyncProperty(cases, async ({ username, newPassword, initial, database }) => {
        const exists = await recreateRole(username, initial);
        if (exists) await grantAdminOption(username);
        const event = {
          type: 'postgres',
          host: cluster.server.host,
          port: cluster.server.port,
          database: database ?? lane.database.name,
          managingUser: { username: admin.username, password: admin.password },
          rotateUser: { username, password: initial, ...(newPassword === undefined ? {} : { newPassword }) },
        };
        const [before, lines] = [await catalogSnapshot(lane.superuser), lane.functionLog.length];

        const { functionError, body } = await lane.invoke(event);

        const after = await catalogSnapshot(lane.superuser);
        expect(functionError).toBeUndefined();
        const answer = body as { code: number; message: string };
        const works = exists && newPassword !== undefined && newPassword !== '' && (database === undefined || database === lane.database.name);
        if (works) {
          expect(answer).toEqual({ code: 200, message: 'ok' });
          // A new password that already logs in (ESC retrying) is left alone: nothing to change.
          expect(changedKeys(before, after)).toEqual(newPassword === initial ? [] : [`role ${username}`]);
          if (newPassword !== initial) expect(changedRoleAttributes(before, after, username)).toEqual(['rolpassword']);
          expect(await logsIn(username, newPassword as string)).toBe(true);
        } else {
          expect(answer.code).toBe(400);
          expect(answer.message).toMatch(isIdentifier(username) && isIdentifier(event.database) && newPassword ? /^error rotating user ".*": /s : /^(event\.[^:]+: |no password provided$)/s);
          expect(changedKeys(before, after)).toEqual([]);
        }
        expectNoneOf([initial, newPassword, admin.password], [answer.message, ...lane.functionLog.slice(lines)], identifiersIn(event));
        figures.count('inputs', 'ESC events on the real database', works ? 'worked' : 'refused, nothing changed');
      }),
      { numRuns: RUNS.esc },
    );
  }, 120_000);

  it('secrets with hostile role names and passwords rotate with every strategy, or are refused naming the field and nothing changes', async () => {
    const cases = fc.record({ username: hostileIdentifier, password: printablePassword, strategy: fc.constantFrom<Strategy>(...STRATEGIES) });
    await fc.assert(
      fc.asyncProperty(cases, async ({ username, password, strategy }) => {
        const valid = isIdentifier(username);
        // Secrets Manager itself refuses a SecretString over 64 KiB; the secret parser meets such names in hostile-input.test.ts.
        fc.pre(Buffer.byteLength(username, 'utf8') < 60_000);
        for (const role of [username, `${username}_clone`]) await recreateRole(role, undefined);
        const secret = valid
          ? await createStrategySecret(lane, lane.database, strategy, { username, password }).catch(skipReservedName)
          : { arn: await lane.createSecret(uniqueName('app_secret'), { engine: 'postgres', host: cluster.server.host, port: cluster.server.port, username, password, dbname: lane.database.name }) };
        const [before, lines] = [await catalogSnapshot(lane.superuser), lane.functionLog.length];

        const outcome = await lane.rotate(secret.arn);

        const after = await catalogSnapshot(lane.superuser);
        const cloneFits = Buffer.byteLength(`${username}_clone`, 'utf8') <= 63 || strategy === 'single-user' || strategy === 'admin';
        if (valid && cloneFits) {
          expect(outcome, outcome.error?.message).toMatchObject({ succeeded: true });
          const current = await lane.value(secret.arn);
          expect(await logsIn(current.username, current.password)).toBe(true);
          expect(changedKeys(before, after).every((key) => /^(role|membership|setting) /.test(key))).toBe(true);
          expectNoneOf([password, current.password], [...lane.functionLog.slice(lines)], [username, `${username}_clone`]);
        } else {
          expect(outcome).toMatchObject({ succeeded: false, failedStep: 'createSecret', error: { type: 'InvalidInputError' } });
          expect(outcome.error?.message).toMatch(/^secret\.username: /);
          expect(changedKeys(before, after)).toEqual([]);
          expectNoneOf([password], [outcome.error?.message ?? '', ...lane.functionLog.slice(lines)], [username, `${username}_clone`]);
        }
        figures.count('inputs', 'rotations of hostile secrets on the real database', valid && cloneFits ? 'rotated' : 'refused, nothing changed');
      }),
      { numRuns: RUNS.rotations },
    );
  }, 120_000);

  it('lock-user and unlock-user: the named role alone changes, and back; a malformed request is refused and nothing changes', async () => {
    const requests = fc.tuple(hostileIdentifier, printablePassword).chain(([role, initial]) =>
      mutated(fc.constant({ kind: 'action', action: 'lock-user', target: { adminSecretArn: 'placeholder' }, params: { role } })).map((request) => ({ role, initial, request })),
    );
    let worked = 0;
    await fc.assert(
      fc.asyncProperty(requests, async ({ role, initial, request }) => {
        if (await recreateRole(role, initial)) await grantAdminOption(role);
        const sent = withAdminSecret(request);
        const [before, lines] = [await catalogSnapshot(lane.superuser), lane.functionLog.length];

        const { functionError, body } = await lane.invoke(sent);

        const after = await catalogSnapshot(lane.superuser);
        const locked = body as { ok?: boolean; error?: { code: string; field?: string } | null; rollback?: unknown };
        let outcome: string;
        if (functionError === undefined && locked.ok === true) {
          // Worked: the role the request named (a mutation may have named another existing one) lost LOGIN, nothing else.
          const named = (sent.params as { role: string }).role;
          expect(changedKeys(before, after)).toEqual([`role ${named}`]);
          expect(changedRoleAttributes(before, after, named)).toEqual(['rolcanlogin']);
          const unlocked = (await lane.invoke({ ...(locked.rollback as object), target: { adminSecretArn: admin.arn } })).body as { ok: boolean };
          expect(unlocked.ok).toBe(true);
          expect(changedKeys(before, await catalogSnapshot(lane.superuser))).toEqual([]);
          outcome = 'locked and unlocked';
          worked += 1;
        } else {
          expect(changedKeys(before, after)).toEqual([]);
          outcome = `refused (${refusalOf(functionError, body)}), nothing changed`;
        }
        expectNoneOf([initial, admin.password], [JSON.stringify(body), ...lane.functionLog.slice(lines)], identifiersIn(sent));
        figures.count('inputs', 'lock-user requests on the real database', outcome);
      }),
      { numRuns: RUNS.actions },
    );
    // About a quarter of the requests are drawn unmutated: if none of them works, the property only saw refusals.
    expect(worked).toBeGreaterThan(0);
  }, 120_000);
});

/**
 * How a request was refused, checked for clarity: a mutation may have made it another kind of event (a Step key
 * makes it a rotation event, a type key an ESC event), and each route must refuse in its own documented way.
 */
function refusalOf(functionError: string | undefined, body: unknown): string {
  if (functionError !== undefined) {
    expect(body).toMatchObject({ errorType: 'InvalidInputError', errorMessage: expect.stringMatching(/^event(\.|:)/) });
    return 'INVALID_INPUT, as an event';
  }
  const answer = body as { ok?: boolean; code?: number; error?: { code: string; field?: string } | null };
  if (answer.code !== undefined) {
    expect(answer.code).toBe(400);
    return 'HTTP 400, as an ESC event';
  }
  expect(answer.ok).toBe(false);
  if (answer.error?.code === 'INVALID_INPUT') expect(answer.error.field).toMatch(/^request(\.|$)/);
  else expect(['ROLE_NOT_FOUND', 'ACTION_REFUSED', 'SECRETS_MANAGER', 'DB_PERMISSION']).toContain(answer.error?.code);
  return answer.error?.code ?? 'none';
}

/**
 * Creates (again) a login role of that exact name when the name is legal; false when it is not (too long, NUL,
 * empty) or is one PostgreSQL reserves (public, none, pg_*), which no caller could have created either.
 */
async function recreateRole(name: string, password: string | undefined): Promise<boolean> {
  if (!isIdentifier(name)) return false;
  try {
    await lane.superuser.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(name)}`);
    if (password !== undefined) await lane.superuser.query(`CREATE ROLE ${pg.escapeIdentifier(name)} LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === '42939') return false; // reserved_name
    throw error;
  }
}

/** On PostgreSQL 16 and newer a CREATEROLE admin needs ADMIN OPTION on the roles it manages, as on RDS. */
async function grantAdminOption(role: string): Promise<void> {
  // As PostgreSQL 16+ grants a CREATEROLE login the roles it creates: ADMIN OPTION alone. INHERIT or SET would give the
  // admin the role's privileges, and the guard protects such a role from every action (protected.admin-membership).
  if (cluster.server.major >= 16) {
    await lane.superuser.query(`GRANT ${pg.escapeIdentifier(role)} TO ${pg.escapeIdentifier(admin.username)} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
  }
}

/** A name PostgreSQL reserves (public, none, pg_*) cannot be a role a secret names: such a case is skipped. */
function skipReservedName(error: unknown): never {
  fc.pre(!(error instanceof Error && 'code' in error && error.code === '42939'));
  throw error;
}

/** The request with the lane's admin secret as target, wherever the mutations left a target object. */
function withAdminSecret(request: Record<string, unknown>): Record<string, unknown> {
  const target = request.target;
  if (typeof target === 'object' && target !== null && !Array.isArray(target) && (target as Record<string, unknown>).adminSecretArn === 'placeholder') {
    return { ...request, target: { ...target, adminSecretArn: admin.arn } };
  }
  return request;
}

async function logsIn(username: string, password: string): Promise<boolean> {
  const result = await tryLogIn(clientConfig(cluster.server, { user: username, password, database: lane.database.name, ssl: 'disable' }));
  if (!result.ok && result.sqlState !== '28P01') throw new Error(`login of a hostile role failed for another reason: ${result.sqlState ?? result.errorCode}`);
  return result.ok;
}

/** No secret said back, beyond what lies inside the identifiers the function may name (see `echoes`). */
function expectNoneOf(secrets: readonly (string | undefined)[], said: readonly string[], identifiers: readonly string[]): void {
  const text = said.join('\n');
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 12 && new Set(secret).size >= 3) expect(echoes(text, secret, identifiers), 'a password was echoed').toBe(false);
  }
}
