import { DatabaseError } from '../errors';
import type { Session } from './connect';
import { toDatabaseError } from './errors';
import type { Logger } from '../log/logger';
import { scramSha256Verifier } from './password-verifier';
import type { Statement } from './role-sql';
import { roleSql } from './role-sql';

/** What the server is, read on the session that will change a password. */
export interface ServerFacts {
  readonly versionNum: number;
  /** `scram-sha-256`, or `md5` (`on` on PostgreSQL 13 and older). */
  readonly passwordEncryption: string;
}

/**
 * Reads the server's version and `password_encryption`. We always store a SCRAM-SHA-256 verifier: pg_hba's
 * `md5` method accepts it too (PostgreSQL switches to SCRAM for such roles), while an md5 hash would lock out
 * `scram-sha-256` rules, and md5 is deprecated since PostgreSQL 18. So an md5 server is only worth a warning:
 * clients too old for SCRAM (libpq < 10) cannot log in with the new password.
 */
export async function serverFacts(session: Session, log: Logger): Promise<ServerFacts> {
  const { rows } = await run<{ version_num: number; password_encryption: string }>(session, roleSql.serverFacts());
  const row = rows[0];
  if (!row) throw new DatabaseError('query', 'could not read server_version_num and password_encryption');
  if (row.password_encryption !== 'scram-sha-256') {
    log.warn('password_encryption is md5 on this server; storing a SCRAM-SHA-256 verifier anyway (clients need libpq 10 or newer)', {
      passwordEncryption: row.password_encryption,
    });
  }
  return { versionNum: row.version_num, passwordEncryption: row.password_encryption };
}

/** The server's system identifier (roleSql.systemIdentifier), or undefined where the login may not read it. */
export async function systemIdentifier(session: Session): Promise<string | undefined> {
  const { rows } = await run<{ id: string | null }>(session, roleSql.systemIdentifier());
  return rows[0]?.id ?? undefined;
}

/**
 * What failed when an admin changed another role, as a DatabaseError. On PostgreSQL 16+, CREATEROLE alone no
 * longer lets an admin change roles it does not hold ADMIN OPTION on (release notes, "Restrict the privileges of
 * CREATEROLE"); a permission error there says what to grant.
 */
export function adminChangeError(error: unknown, facts: ServerFacts, at: { doing: string; admin: string; host: string }): DatabaseError {
  const failure = toDatabaseError(error, { doing: at.doing, role: at.admin, host: at.host });
  if (failure.sqlState !== '42501' || facts.versionNum < 160000) return failure;
  return new DatabaseError(
    'permission',
    `${failure.message}. On PostgreSQL 16 and newer an admin with CREATEROLE needs ADMIN OPTION on each role it manages, without holding its privileges: GRANT <role> TO "${at.admin}" WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`,
    failure.sqlState,
  );
}

/**
 * Sets a role's password by sending its SCRAM-SHA-256 verifier, never the plaintext: the password itself, or a
 * verifier already computed from it (scramSha256VerifierInBackground).
 */
export async function setPassword(session: Session, role: string, password: string | { verifier: string }): Promise<void> {
  await run(session, roleSql.setPassword(role, typeof password === 'string' ? scramSha256Verifier(password) : password.verifier));
}

export async function roleExists(session: Session, role: string): Promise<boolean> {
  return (await run(session, roleSql.roleExists(role))).rowCount === 1;
}

export async function isMember(session: Session, group: string, member: string): Promise<boolean> {
  return (await run(session, roleSql.isMember(group, member))).rowCount === 1;
}

export async function membershipsOf(session: Session, role: string): Promise<string[]> {
  const { rows } = await run<{ role: string }>(session, roleSql.memberships(role));
  return rows.map((row) => row.role);
}

/** Runs `work` in one transaction: all of a role change lands, or none of it. */
export async function inTransaction<T>(session: Session, work: () => Promise<T>): Promise<T> {
  await session.query('BEGIN');
  try {
    const result = await work();
    await session.query('COMMIT');
    return result;
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export function run<R extends Record<string, unknown> = Record<string, unknown>>(session: Session, statement: Statement) {
  return session.query<R>(statement.text, statement.values ? [...statement.values] : undefined);
}
