/**
 * Arranges what one scenario rotates: a database, a login role (and, for the admin strategies, an admin with
 * CREATEROLE and ADMIN OPTION on it, as RDS requires on PostgreSQL 16 and newer), and the secrets AWS would hold
 * for them. Every name is unique, so scenarios never share state. Everything is created over one superuser session
 * the caller keeps open, because hundreds of scenarios each opening their own would cost more than they test.
 */
import type pg from 'pg';
import { escapeIdentifier, escapeLiteral } from 'pg';
import type { Strategy } from '../../../lambda/config/environment';
import { scramSha256Verifier } from '../../../lambda/postgres/password-verifier';
import type { ServerFacts } from '../../support/postgres';
import { uniqueName } from '../../support/postgres';
import type { AppSecret } from '../../support/rotation-stack';

export const STRATEGIES: readonly Strategy[] = ['single-user', 'admin', 'alternating', 'alternating-owner'];

export function isAlternating(strategy: Strategy): boolean {
  return strategy === 'alternating' || strategy === 'alternating-owner';
}

/** A database of the test server, and the server. */
export interface ScenarioDatabase {
  readonly name: string;
  readonly server: ServerFacts;
}

/** What arranging needs: a superuser session, and somewhere to store secrets. */
export interface Arranger {
  readonly superuser: Pick<pg.Client, 'query'>;
  createSecret(name: string, value: Record<string, unknown>): Promise<string>;
}

/** The secrets of one scenario and every role it may touch. */
export interface StrategySecret {
  readonly strategy: Strategy;
  readonly arn: string;
  readonly adminArn: string | undefined;
  /** The value the secret was created with. */
  readonly original: AppSecret;
  /** Every role the rotation may log in as or change (the user, its clone or owner, the admin). */
  readonly roles: readonly string[];
}

export interface StrategySecretOptions {
  /** Port the secrets name instead of the server's (a relay in front of it). */
  readonly port?: number;
  /** Extra fields of the user's secret. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Extra fields of both the user's and the admin's secret (statementTimeoutMs, sslmode, …). */
  readonly connectionFields?: Readonly<Record<string, unknown>>;
  /** The user's role name; unique by default. */
  readonly username?: string;
  /** Password of the user; printable ASCII by default. */
  readonly password?: string;
  /** Password of the admin, for the admin strategies. */
  readonly adminPassword?: string;
  /** Send the passwords as SCRAM verifiers (no plaintext in the server's statement log). */
  readonly verifiers?: boolean;
}

/** Creates an empty, uniquely named database. */
export async function createDatabase(arranger: Arranger, server: ServerFacts): Promise<ScenarioDatabase> {
  const name = uniqueName('safety_db');
  await arranger.superuser.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
  return { name, server };
}

/**
 * Creates a login role with a password, as a DBA would, and the secret JSON AWS would hold for it. With
 * `verifier`, the password is sent as a SCRAM verifier, so that not even the test puts a plaintext password in
 * the server's statement log.
 */
export async function createLoginRole(arranger: Arranger, db: ScenarioDatabase, role: string, password: string, options = '', verifier = false): Promise<AppSecret> {
  const sent = verifier ? scramSha256Verifier(password) : password;
  await arranger.superuser.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN PASSWORD ${escapeLiteral(sent)} ${options}`);
  return { engine: 'postgres', host: db.server.host, port: db.server.port, username: role, password, dbname: db.name };
}

/**
 * Creates the roles and the secret a strategy rotates.
 *
 * @example
 * const secret = await createStrategySecret(lane, db, 'alternating');
 */
export async function createStrategySecret(
  arranger: Arranger,
  db: ScenarioDatabase,
  strategy: Strategy,
  options: StrategySecretOptions = {},
): Promise<StrategySecret> {
  const connection = { ...(options.port === undefined ? {} : { port: options.port }), ...options.connectionFields };
  const login = await createLoginRole(arranger, db, options.username ?? uniqueName('app'), options.password ?? 'Original-Passw0rd', '', options.verifiers);
  const user = { ...login, ...connection };
  if (strategy === 'single-user') {
    const original = { ...user, ...options.fields };
    return { strategy, arn: await arranger.createSecret(uniqueName('app_secret'), original), adminArn: undefined, original, roles: [user.username] };
  }
  const admin = { ...(await createLoginRole(arranger, db, uniqueName('admin'), options.adminPassword ?? 'Admin-Passw0rd', 'CREATEROLE', options.verifiers)), ...connection };
  await arranger.superuser.query(`GRANT ${escapeIdentifier(user.username)} TO ${escapeIdentifier(admin.username)} WITH ADMIN OPTION`);
  const adminArn = await arranger.createSecret(uniqueName('admin_secret'), admin);
  const owner = strategy === 'alternating-owner' ? { ownerRole: uniqueName('owner') } : {};
  const original = { ...user, masterarn: adminArn, strategy, ...owner, ...options.fields };
  const arn = await arranger.createSecret(uniqueName('app_secret'), original);
  const roles = [user.username, `${user.username}_clone`, admin.username, ...Object.values(owner)];
  return { strategy, arn, adminArn, original, roles };
}
