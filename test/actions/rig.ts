/**
 * The orchestrator API as a caller sees it: the local Lambda and Secrets Manager endpoints (local/stack.ts) with
 * pg-rotator registered, the typed client pointed at them, and, per test, a fresh database with a realistic admin
 * (CREATEROLE, not superuser, as on RDS), a schema owned by an owner role, and the admin's secret.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier as q, escapeLiteral } from 'pg';
import { expect } from 'vitest';
import type { PgRotatorClient } from '../../client/pg-rotator-client';
import { createPgRotatorClient } from '../../client/pg-rotator-client';
import type { DiscoveryResult } from '../../lambda/discovery/discovery';
import type { ActionResponse } from '../../lambda/requests/envelope';
import type { Target } from '../../lambda/requests/request-target';
import type { LocalStack } from '../../local/stack';
import { startLocalStack } from '../../local/stack';
import { PERMISSIVE_POLICY_ENV } from '../support/permissive-policy';
import type { FreshDatabase, LogMark } from '../support/postgres';
import { canLogIn, freshDatabase, logMark, logSince, postgresServer, uniqueName } from '../support/postgres';

export interface Rig {
  readonly stack: LocalStack;
  readonly rotator: PgRotatorClient;
  readonly secrets: SecretsManagerClient;
  readonly caFile: string;
  close(): Promise<void>;
}

/** The password-secret prefix of rigs whose actions write secrets (PASSWORD_SECRET_PREFIX), as a deployment declares one. */
export const PASSWORD_PREFIX = 'pg-rotator/';

/** A fresh secret name under {@link PASSWORD_PREFIX}. */
export function passwordSecretName(prefix: string): string {
  return `${PASSWORD_PREFIX}${uniqueName(prefix)}`;
}

/**
 * Starts the endpoints once per test file; `env` adds to the function's environment, whose permission policy is
 * {@link PERMISSIVE_POLICY} unless `env` sets another (or `PERMISSION_POLICY: ''` for none).
 */
export async function startRig(env: Record<string, string> = {}): Promise<Rig> {
  const caDir = mkdtempSync(path.join(tmpdir(), 'pg-rotator-ca-'));
  const caFile = path.join(caDir, 'ca.pem');
  writeFileSync(caFile, postgresServer().caPem ?? '');
  const stack = await startLocalStack({ env: { PGSSLMODE: 'verify-full', PGSSLROOTCERT: caFile, ...PERMISSIVE_POLICY_ENV, ...env } });
  const rotator = createPgRotatorClient({ functionName: stack.orchestratorArn, lambda: stack.lambdaClient(), caller: 'vitest' });
  const close = async () => {
    await stack.close();
    rmSync(caDir, { recursive: true, force: true });
  };
  return { stack, rotator, secrets: stack.secretsClient(), caFile, close };
}

/**
 * Declares a rotated secret's binding as the deployment's bindings file would, for the protected roles it names: its
 * login (and `<login>_clone`, or `alternateUsername`) and, for alternating-owner, its owner role. The secret itself
 * need not exist: actions learn these roles from the declarations alone.
 */
export function bindRotated(rig: Rig, roles: { readonly username: string; readonly alternateUsername?: string; readonly ownerRole?: string }): void {
  const secretArn = `arn:aws:secretsmanager:us-east-1:000000000000:secret:${uniqueName('rotated')}`;
  const adminSecretArn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:rotation-admin';
  rig.stack.declarations.bind(
    roles.ownerRole === undefined
      ? { secretArn, strategy: 'admin', adminSecretArn, username: roles.username }
      : { secretArn, strategy: 'alternating-owner', adminSecretArn, ...roles },
  );
}

/** One test's database, admin and schema. */
export interface Scenario {
  readonly db: FreshDatabase;
  readonly admin: { readonly name: string; readonly password: string };
  readonly adminSecretArn: string;
  readonly target: Target;
  /** NOLOGIN role that owns schema `app` and everything in it; the admin is its member. */
  readonly owner: string;
  readonly majorVersion: number;
  /** Runs SQL as the superuser in the test database. */
  su(sql: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * A login role (password `Passw0rd-<name>`) the admin may manage: on 16+ ADMIN OPTION without INHERIT or SET, as
   * docs/deploy.md grants it (the admin then manages the role without holding its privileges, which would make
   * the role protected.admin-membership).
   */
  managedRole(prefix: string, attributes?: string): Promise<string>;
  /** Discovery through the function, limited to these roles. */
  discover(roles: readonly string[]): Promise<DiscoveryResult>;
  /** Statements the admin (or `user`) sent to this database since `mark` that change something, as `result.sql` shows them. */
  changesSince(mark: LogMark, user?: string): Promise<string[]>;
  createSecret(name: string, value: Record<string, unknown>): Promise<string>;
  secretValue(secretId: string, stage?: string): Promise<Record<string, unknown> | undefined>;
}

export async function scenario(rig: Rig): Promise<Scenario> {
  const db = await freshDatabase();
  const admin = { name: uniqueName('admin'), password: `A-${randomBytes(12).toString('base64url')}` };
  const owner = uniqueName('owner');
  const majorVersion = db.server.major;
  const su = (sql: string, values?: unknown[]) => db.withSuperuser(async (c) => (await c.query(sql, values)).rows as Record<string, unknown>[]);
  await db.withSuperuser(async (c) => {
    await c.query(`CREATE ROLE ${q(admin.name)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(admin.password)}`);
    await c.query(`GRANT pg_signal_backend TO ${q(admin.name)}`);
    // As on RDS, where the master user owns the databases it creates: it may GRANT CONNECT on them.
    await c.query(`ALTER DATABASE ${q(db.name)} OWNER TO ${q(admin.name)}`);
    await c.query(`CREATE ROLE ${q(owner)} NOLOGIN`);
    await c.query(`GRANT ${q(owner)} TO ${q(admin.name)}`);
    await c.query(`CREATE SCHEMA app AUTHORIZATION ${q(owner)}`);
    await c.query(`SET ROLE ${q(owner)}`);
    await c.query('CREATE TABLE app.accounts (id int PRIMARY KEY, email text, balance numeric)');
    await c.query('CREATE TABLE app.audit_log (id bigint, entry text)');
    await c.query('CREATE SEQUENCE app.invoice_no');
    await c.query('CREATE VIEW app.balances AS SELECT id, balance FROM app.accounts');
    await c.query('CREATE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE sql AS $$ SELECT a + b $$');
    await c.query('RESET ROLE');
  });
  const createSecret = async (name: string, value: Record<string, unknown>) =>
    (await rig.secrets.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }))).ARN as string;
  const adminSecretArn = await createSecret(uniqueName('admin_secret'), {
    engine: 'postgres',
    host: db.server.host,
    port: db.server.port,
    username: admin.name,
    password: admin.password,
    dbname: db.name,
  });
  // As the deployment's orchestration.adminSecrets would.
  rig.stack.declarations.declareAdmin(adminSecretArn);
  const target: Target = { adminSecretArn };
  return {
    db,
    admin,
    adminSecretArn,
    target,
    owner,
    majorVersion,
    su,
    async managedRole(prefix, attributes = 'LOGIN') {
      const name = uniqueName(prefix);
      await su(`CREATE ROLE ${q(name)} ${attributes} PASSWORD ${escapeLiteral(`Passw0rd-${name}`)}`);
      if (majorVersion >= 16) await su(`GRANT ${q(name)} TO ${q(admin.name)} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
      return name;
    },
    async discover(roles) {
      const response = await rig.rotator.discover({ target, roles: [...roles] });
      expect(response.error).toBeNull();
      return response.result as DiscoveryResult;
    },
    async changesSince(mark, user = admin.name) {
      return changedStatements(await logSince(mark), user, db.name);
    },
    createSecret,
    async secretValue(secretId, stage = 'AWSCURRENT') {
      try {
        const out = await rig.secrets.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }));
        return JSON.parse(out.SecretString as string) as Record<string, unknown>;
      } catch (error) {
        if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
  };
}

/**
 * The server log's view of what a login executed in a database (log_statement = all, log_line_prefix
 * `%m [%p] %q%u@%d `): single-line statements and `$n` executions with their parameters written in, minus
 * transaction control and reads (pg_terminate_backend is the one SELECT that changes something). Verifiers are
 * redacted as the function shows them.
 */
export function changedStatements(log: string, user: string, database: string): string[] {
  const prefix = ` ${user}@${database} `;
  const lines = log.split('\n').filter((line) => line.includes(prefix));
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    const simple = /LOG: {2}statement: (.*)$/.exec(line);
    const extended = /LOG: {2}execute [^:]*: (.*)$/.exec(line);
    let text = simple?.[1] ?? extended?.[1];
    if (text === undefined) continue;
    if (extended) {
      const detail = /DETAIL: {2}parameters: (.*)$/i.exec(lines[i + 1] ?? '');
      const values = new Map<string, string>();
      for (const match of detail?.[1]?.matchAll(/\$(\d+) = ('(?:[^']|'')*'|NULL)/g) ?? []) values.set(match[1] as string, match[2] as string);
      text = text.replace(/\$(\d+)/g, (whole, n: string) => values.get(n) ?? whole);
    }
    if (/^(BEGIN|COMMIT|ROLLBACK)$/i.test(text)) continue;
    if (/^\s*(SELECT|WITH)\b/i.test(text) && !text.includes('pg_terminate_backend')) continue;
    out.push(text.replace(/PASSWORD '[^']*'/g, "PASSWORD '[redacted]'"));
  }
  return out;
}

/** Whether a password logs in to the test database as `user`. */
export async function logsIn(user: string, password: string, database: string): Promise<boolean> {
  return (await canLogIn({ user, password, database })).ok;
}


/** An action request as tests write it: the scenario supplies the target. */
export type ActionCall = Omit<Extract<Parameters<PgRotatorClient['action']>[0], object>, 'target'>;

/** What {@link roundTrip} saw. */
export interface RoundTrip {
  readonly dry: ActionResponse;
  readonly real: ActionResponse;
  readonly back: ActionResponse;
}

/**
 * The issue's definition of done for one action: a dry run changes nothing and shows exactly the SQL the real
 * run then executes (as the server logged it); the action succeeds; `between` checks its effect; its rollback,
 * sent back as is, leaves discovery of `roles` exactly as it was before.
 */
export async function roundTrip(
  rig: Rig,
  s: Scenario,
  call: ActionCall,
  roles: readonly string[],
  between: (real: ActionResponse) => Promise<void> = async () => {},
): Promise<RoundTrip> {
  const before = await s.discover(roles);

  const dryMark = await logMark();
  const dry = await rig.rotator.action({ ...call, target: s.target, dryRun: true } as Parameters<PgRotatorClient['action']>[0]);
  expect(dry.error).toBeNull();
  expect(await s.changesSince(dryMark)).toEqual([]);
  expect(await s.discover(roles)).toEqual(before);

  const realMark = await logMark();
  const real = await rig.rotator.action({ ...call, target: s.target } as Parameters<PgRotatorClient['action']>[0]);
  expect(real.error).toBeNull();
  expect(real.result?.sql).toEqual(dry.result?.sql);
  expect(await s.changesSince(realMark)).toEqual(real.result?.sql);
  expect(real.rollback).toEqual(dry.rollback);
  await between(real);

  expect(real.rollback).not.toBeNull();
  const back = (await rig.rotator.send(real.rollback as NonNullable<ActionResponse['rollback']>)) as ActionResponse;
  expect(back.error).toBeNull();
  expect(await s.discover(roles)).toEqual(before);
  return { dry, real, back };
}
