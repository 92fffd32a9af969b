/**
 * No password and no RotationToken leaves the function except where a caller asked for it (revealPassword). The
 * flows below cover what pg-rotator does, rotations of every strategy, their failures, Pulumi ESC events,
 * orchestrator actions, tests and inline rotations, and refused input, with everything captured: the function's
 * log lines, every response and error message, the local Lambda's invocation records and log tails, this
 * process's own stdout, stderr and console calls, and the PostgreSQL server's statement log (log_statement = all).
 * The last test collects every password that ever existed (every version of every secret, every password sent in
 * an event) and every RotationToken Secrets Manager issued, and searches all of it.
 *
 * The arrangement itself sends SCRAM verifiers, never plaintext, so the statement log search covers every password.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Strategy } from '../../lambda/config/environment';
import { handleRotationEvent } from '../../lambda/handlers/rotation';
import { scramSha256Verifier } from '../../lambda/postgres/password-verifier';
import { superuserClientConfig } from '../../local/postgres/client-config';
import { LOCAL_AWS } from '../../local/stack';
import type { LogMark } from '../support/postgres';
import { logMark, logSince, otherCaPem, postgresServer, unavailableReason, uniqueName } from '../support/postgres';
import { terminateBackend } from './support/database-faults';
import type { Lane } from './support/lanes';
import { startLane } from './support/lanes';
import { onRotatorStatements } from './support/rotator-statements';
import { SafetyFigures } from './support/safety-figures';
import { createDatabase, createLoginRole, createStrategySecret, STRATEGIES } from './support/strategy-secrets';

const figures = new SafetyFigures('leaks');
let lane: Lane;
let mark: LogMark;
/** The rotation function Secrets Manager invokes here: pg-rotator, noting each RotationToken it is given. */
let rotator: string;
let lambdaTail: LambdaClient;
const tokens = new Set<string>();
/** Passwords that exist outside any secret version (sent in events, planted in requests). */
const sentPasswords = new Set<string>();
/** Every secret created, to read all of its versions at the end. */
const secretArns = new Set<string>();
/** Everything pg-rotator and the local endpoints said: responses, error messages, outcomes. */
const said: string[] = [];
/** Responses that hold a password because the caller asked for it (revealPassword: true): never searched. */
let revealed = 0;
const processOutput: string[] = [];
const restoreOutput: (() => void)[] = [];

const hear = (value: unknown) => said.push(typeof value === 'string' ? value : JSON.stringify(value) ?? String(value));

beforeAll(async () => {
  // vitest forwards console calls itself, so they are captured apart from the streams.
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      processOutput.push(args.map(String).join(' '));
      original(...args);
    };
    restoreOutput.push(() => (console[method] = original));
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      processOutput.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restoreOutput.push(() => (stream.write = write));
  }
  lane = await startLane({ env: { PASSWORD_SECRET_PREFIX: 'leak/' } });
  mark = await logMark();
  rotator = lane.lambda.register('leak-watched-rotator', {
    kind: 'in-process',
    handler: (event: unknown) => {
      const token = (event as { RotationToken?: unknown }).RotationToken;
      if (typeof token === 'string') tokens.add(token);
      return handleRotationEvent(event, lane.directRuntime);
    },
  });
  lambdaTail = new LambdaClient({ ...LOCAL_AWS, endpoint: lane.lambda.endpoint });
});
afterAll(async () => {
  for (const restore of restoreOutput) restore();
  lambdaTail?.destroy();
  await lane?.close();
  figures.publish();
});

/** A strategy's secret, arranged without a plaintext password reaching the server. */
async function secretFor(strategy: Strategy, fields: Record<string, unknown> = {}) {
  const secret = await createStrategySecret(lane, lane.database, strategy, { verifiers: true, password: `Leak-Test-${uniqueName('p')}`, adminPassword: `Leak-Admin-${uniqueName('p')}`, fields });
  secretArns.add(secret.arn);
  if (secret.adminArn) secretArns.add(secret.adminArn);
  return secret;
}

/** Invokes pg-rotator's orchestrator function with the log tail requested, as an orchestrator might; hears the answer and the tail. */
async function invoke(payload: unknown): Promise<unknown> {
  const out = await lambdaTail.send(new InvokeCommand({ FunctionName: lane.orchestratorArn, Payload: JSON.stringify(payload), LogType: 'Tail' }));
  const body = JSON.parse(Buffer.from(out.Payload ?? []).toString()) as unknown;
  hear(Buffer.from(out.LogResult ?? '', 'base64').toString());
  return body;
}

async function rotate(arn: string) {
  const outcome = await lane.rotateWith(arn, rotator);
  hear(outcome);
  return outcome;
}

describe('flows, with everything they say captured', () => {
  it.each(STRATEGIES)('%s: two rotations', async (strategy) => {
    const secret = await secretFor(strategy);
    expect(await rotate(secret.arn)).toMatchObject({ succeeded: true });
    expect(await rotate(secret.arn)).toMatchObject({ succeeded: true });
  });

  it('failed rotations: wrong stored password, malformed secret, membership drift, TLS refused, a lost Secrets Manager answer, a dropped session', async () => {
    const wrong = await secretFor('single-user');
    await lane.superuser.query(`ALTER ROLE ${pg.escapeIdentifier(wrong.original.username)} PASSWORD ${pg.escapeLiteral(scramSha256Verifier(`Other-${uniqueName('p')}`))}`);
    expect(await rotate(wrong.arn)).toMatchObject({ succeeded: false, failedStep: 'setSecret' });

    const malformed = await lane.createSecret(uniqueName('malformed'), { engine: 'mysql', host: '127.0.0.1', username: 'u', password: `Malformed-${uniqueName('p')}` });
    secretArns.add(malformed);
    expect(await rotate(malformed)).toMatchObject({ succeeded: false, failedStep: 'createSecret' });

    const drift = await secretFor('alternating-owner');
    const extra = uniqueName('extra_role');
    await lane.superuser.query(`CREATE ROLE ${pg.escapeIdentifier(extra)} NOLOGIN`);
    await lane.superuser.query(`GRANT ${pg.escapeIdentifier(extra)} TO ${pg.escapeIdentifier(drift.original.username)}`);
    expect(await rotate(drift.arn)).toMatchObject({ succeeded: false, failedStep: 'testSecret' });

    // A server that refuses TLS (verify-full against the no-tls cluster), and a secret bringing a CA of its own where
    // the deployment pins one (refused before any connection).
    if (unavailableReason('no-tls') === undefined) {
      const tls = await secretFor('single-user', { port: postgresServer('no-tls').port });
      expect(await rotate(tls.arn)).toMatchObject({ succeeded: false, failedStep: 'setSecret' });
    }
    const foreignCa = await secretFor('single-user', { sslmode: 'verify-full', sslrootcertPem: otherCaPem() });
    expect(await rotate(foreignCa.arn)).toMatchObject({ succeeded: false, failedStep: 'createSecret' });

    const lost = await secretFor('admin');
    const viaRelay = lane.lambda.register('leak-watched-relay', { kind: 'in-process', handler: (event: unknown) => handleRotationEvent(event, lane.runtime) });
    const fault = lane.relay.arm({ matches: (r) => r.operation === 'PutSecretValue', nth: 1, attempts: 'all', kind: 'internal-error', when: 'after' });
    hear(await lane.rotateWith(lost.arn, viaRelay));
    fault.disarm();

    const dropped = await secretFor('admin');
    let done = false;
    const stop = onRotatorStatements({
      after: async (statement) => {
        if (done || !dropped.roles.includes(statement.user) || statement.kind !== 'ALTER ROLE … PASSWORD') return;
        done = true;
        await terminateBackend((statement.client as unknown as { processID: number }).processID);
      },
    });
    try {
      hear(await rotate(dropped.arn));
    } finally {
      stop();
    }
  });

  it('Pulumi ESC events: rotated, refused for a wrong managing password, refused without a new password, refused for a bad name', async () => {
    const user = await createLoginRole(lane, lane.database, uniqueName('esc_user'), `Esc-Old-${uniqueName('p')}`, '', true);
    const manager = await createLoginRole(lane, lane.database, uniqueName('esc_manager'), `Esc-Manager-${uniqueName('p')}`, 'CREATEROLE', true);
    if (lane.database.server.major >= 16) await lane.superuser.query(`GRANT ${pg.escapeIdentifier(user.username)} TO ${pg.escapeIdentifier(manager.username)} WITH ADMIN OPTION`);
    const event = (overrides: Record<string, unknown> = {}, rotateUser: Record<string, unknown> = {}) => {
      const newPassword = `Esc-New-${uniqueName('p')}`;
      sentPasswords.add(newPassword);
      return {
        type: 'postgres',
        host: user.host,
        port: user.port,
        database: user.dbname,
        managingUser: { username: manager.username, password: manager.password },
        rotateUser: { username: user.username, password: user.password, newPassword, ...rotateUser },
        ...overrides,
      };
    };
    [user.password, manager.password].forEach((p) => sentPasswords.add(p));
    expect(await invoke(event())).toEqual({ code: 200, message: 'ok' });
    const wrongManager = `Esc-Wrong-${uniqueName('p')}`;
    sentPasswords.add(wrongManager);
    expect(await invoke(event({ managingUser: { username: manager.username, password: wrongManager } }))).toMatchObject({ code: 400 });
    expect(await invoke(event({}, { newPassword: undefined }))).toEqual({ code: 400, message: 'no password provided' });
    expect(await invoke(event({}, { username: 'x'.repeat(64) }))).toMatchObject({ code: 400 });
  });

  it('orchestrator requests: actions with and without a revealed password, dry runs, rollbacks, a test, an inline rotation, refused requests', async () => {
    const admin = await createLoginRole(lane, lane.database, uniqueName('leak_admin'), `Leak-Actions-Admin-${uniqueName('p')}`, 'CREATEROLE', true);
    const db = await createDatabase(lane, lane.database.server);
    await lane.superuser.query(`ALTER DATABASE ${pg.escapeIdentifier(db.name)} OWNER TO ${pg.escapeIdentifier(admin.username)}`);
    await withSuperuserOn(db.name, (c) => c.query(`CREATE SCHEMA app AUTHORIZATION ${pg.escapeIdentifier(admin.username)}`));
    const adminArn = await lane.createSecret(uniqueName('leak_admin_secret'), { ...admin, dbname: db.name });
    lane.declarations.declareAdmin(adminArn);
    secretArns.add(adminArn);
    const target = { adminSecretArn: adminArn };
    const user = await createLoginRole(lane, db, uniqueName('leak_user'), `Leak-User-${uniqueName('p')}`, '', true);
    sentPasswords.add(user.password);
    if (db.server.major >= 16) await lane.superuser.query(`GRANT ${pg.escapeIdentifier(user.username)} TO ${pg.escapeIdentifier(admin.username)} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
    const secretName = `leak/${uniqueName('rotated')}`;
    const action = async (name: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      const response = (await invoke({ kind: 'action', action: name, target, params, ...extra })) as {
        ok: boolean;
        result: { secret?: { secretId?: string } | null; password?: string } | null;
        rollback: unknown;
      };
      if (params.revealPassword === true) {
        // The caller asked for the password: this response holds it by design, so it alone is not searched.
        revealed += 1;
        expect(typeof response.result?.password).toBe('string');
      } else {
        hear(response);
      }
      if (response.result?.secret?.secretId && !(extra.dryRun === true)) secretArns.add(response.result.secret.secretId);
      return response;
    };

    expect(await action('rotate-password', { role: user.username, secretName }, { dryRun: true })).toMatchObject({ ok: true });
    const rotated = await action('rotate-password', { role: user.username, secretName });
    expect(rotated).toMatchObject({ ok: true });
    expect(await action('rotate-password', { role: user.username, secretName, revealPassword: true })).toMatchObject({ ok: true });
    const readOnly = uniqueName('leak_ro');
    const created = await action('create-read-only-user', { role: readOnly, schemas: ['app'], secretName: `leak/${uniqueName('ro')}` });
    expect(created).toMatchObject({ ok: true });
    expect(await invoke({ ...(created.rollback as object), target })).toMatchObject({ ok: true });
    const temporary = await action('create-temporary-user', { role: uniqueName('temp_leak'), validUntil: new Date(Date.now() + 3_600_000).toISOString(), memberOf: [user.username], secretName: `leak/${uniqueName('tmp')}` });
    expect(temporary).toMatchObject({ ok: true });
    const locked = await action('lock-user', { role: user.username });
    expect(locked).toMatchObject({ ok: true });
    hear(await invoke({ ...(locked.rollback as object), target }));
    const planted = `Planted-${uniqueName('p')}`;
    sentPasswords.add(planted);
    expect(await action('lock-user', { role: user.username, password: planted })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    hear(await invoke({ kind: 'test', secretArn: adminArn, admin: { managedRoles: [user.username], schemas: ['app'] } }));
    const inline = await secretFor('admin');
    hear(await invoke({ kind: 'rotate', secretId: inline.arn }));
  });

  it('refused events: a rotation event with a bad step, an unparseable event', async () => {
    const token = `Token-${uniqueName('t')}-${'x'.repeat(20)}`;
    tokens.add(token);
    hear(await lane.invokeRotation({ Step: 'dropSecret', SecretId: 'app/db', ClientRequestToken: uniqueName('c'), RotationToken: token }));
    hear(await lane.invoke({ Step: 'finishSecret', SecretId: 'app/db', ClientRequestToken: uniqueName('c'), RotationToken: token }));
    hear(await lane.invokeRotation('not an object'));
    hear(await lane.invoke('not an object'));
  });
});

describe('what was captured', () => {
  it('holds no password that ever existed and no RotationToken: function log, responses, Lambda records and tails, process output, server log', async () => {
    const passwords = new Set(sentPasswords);
    for (const arn of secretArns) for (const password of await everyPassword(arn)) passwords.add(password);
    const searched = [...passwords, ...tokens].filter((s) => s.length >= 12);
    const places: Record<string, string> = {
      'function log': lane.functionLog.join('\n'),
      'responses and error messages': said.join('\n'),
      'Lambda invocation records': JSON.stringify(lane.lambda.invocations()),
      'process stdout, stderr and console': processOutput.join('\n'),
      'PostgreSQL statement log': await logSince(mark),
    };

    const leaks = Object.entries(places).flatMap(([place, text]) => searched.filter((secret) => text.includes(secret)).map(() => place));

    expect(leaks).toEqual([]);
    expect(tokens.size, 'RotationTokens were issued and captured').toBeGreaterThan(8);
    expect(places['PostgreSQL statement log']).toContain("PASSWORD 'SCRAM-SHA-256$");
    figures.add(passwords.size, 'passwords searched for');
    figures.add(tokens.size, 'RotationTokens searched for');
    expect(secretArns.size, 'the secrets the actions created are searched too').toBeGreaterThan(20);
    figures.add(Object.values(places).reduce((n, text) => n + text.split('\n').length, 0), 'lines searched');
    figures.add(revealed, 'responses with revealPassword: true (excluded: the caller asked for the password)');
    figures.add(leaks.length, 'leaks found');
  });
});

/** The password of every version of a secret, deprecated ones included. */
async function everyPassword(arn: string): Promise<string[]> {
  const { Versions = [] } = await lane.sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
  const out: string[] = [];
  for (const version of Versions) {
    const value = await lane.sm
      .send(new GetSecretValueCommand({ SecretId: arn, VersionId: version.VersionId }))
      .then((v) => v.SecretString, () => undefined);
    const password = value === undefined ? undefined : (JSON.parse(value) as { password?: unknown }).password;
    if (typeof password === 'string') out.push(password);
  }
  return out;
}

async function withSuperuserOn<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(superuserClientConfig(lane.database.server, database));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
