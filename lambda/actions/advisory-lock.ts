import { createHash } from 'node:crypto';
import { ActionRefusedError } from '../errors';
import type { Session } from '../postgres/connect';
import { run } from '../postgres/role-changes';
import type { Statement } from '../postgres/role-sql';

/**
 * The first key of every advisory lock pg-rotator takes: "pgrt" as a 32-bit integer, so pg_locks shows the
 * locks as classid 1885827700 and they cannot collide with an application's single-bigint advisory locks.
 */
export const LOCK_NAMESPACE = 0x70677274;

/**
 * The two-integer advisory lock key of a role: the namespace and the first 32 bits of SHA-256 of the role name.
 * Computed here rather than with hashtext(), whose output PostgreSQL does not document as stable. Two roles
 * sharing a key only serialize needlessly, which is harmless.
 *
 * @example
 * roleLockKey('app') // [1885827700, <int32>]
 */
export function roleLockKey(role: string): readonly [number, number] {
  return [LOCK_NAMESPACE, createHash('sha256').update(role, 'utf8').digest().readInt32BE(0)];
}

/** The distinct keys of these roles, in one global order (by key), so two actions cannot deadlock. */
export function lockKeys(roles: readonly string[]): (readonly [number, number])[] {
  const keys = [...new Map(roles.map((role) => { const key = roleLockKey(role); return [key.join(':'), key] as const; })).values()];
  return keys.sort((a, b) => a[1] - b[1]);
}

/** Takes one transaction-scoped lock if it is free, at once: `taken` false when another session holds it. */
export function tryLockStatement([namespace, key]: readonly [number, number]): Statement {
  return { text: 'SELECT pg_catalog.pg_try_advisory_xact_lock($1, $2) AS taken', values: [namespace, key] };
}

/** Who holds a lock (pg_locks and pg_stat_activity, readable by every role): pid, login and application. */
export function lockHoldersStatement([namespace, key]: readonly [number, number]): Statement {
  return {
    text: `SELECT l.pid, a.usename AS "user", a.application_name AS application
             FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.pid <> pg_catalog.pg_backend_pid()
              AND l.classid = $1::bigint::oid AND l.objid = (($2::bigint + 4294967296) % 4294967296)::oid
            ORDER BY 1`,
    values: [namespace, key],
  };
}

/**
 * How long a lock is waited for, in total, before the action is refused: pg-rotator's own actions hold these locks for
 * milliseconds (one transaction of a few statements), so a lock still held after this is held by something else.
 */
export const LOCK_RETRY_DELAYS_MS = [10, 20, 40, 80, 160, 320] as const;

/**
 * Takes the transaction-scoped locks of these roles (released by COMMIT or ROLLBACK), never waiting on the server:
 * pg_try_advisory_xact_lock, retried briefly, then refused. Any login can take any advisory lock key, and these keys
 * are derived from role names anyone knows, so a waiting lock would let whoever squats a role's key make every
 * action on that role hang until a timeout (DB_TIMEOUT): lock-user or drop-user of a compromised login included.
 * Keys no other login can take do not exist in PostgreSQL (no privilege guards pg_advisory_lock, and a key kept
 * secret is visible in pg_locks once used), so the refusal says who holds the lock, for an operator to end it
 * (pg_terminate_backend) and retry.
 *
 * @throws ActionRefusedError naming the role, and the holder's pid and login where the catalog shows them
 */
export async function takeRoleLocks(
  session: Session,
  roles: readonly string[],
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  const keyOwner = new Map(roles.map((role) => [roleLockKey(role).join(':'), role]));
  for (const key of lockKeys(roles)) {
    let taken = false;
    for (const delay of [0, ...LOCK_RETRY_DELAYS_MS]) {
      if (delay > 0) await sleep(delay);
      taken = (await run<{ taken: boolean }>(session, tryLockStatement(key))).rows[0]?.taken === true;
      if (taken) break;
    }
    if (taken) continue;
    const holders = (await run<{ pid: number; user: string | null; application: string | null }>(session, lockHoldersStatement(key))).rows;
    const who = holders.length === 0 ? 'another session' : holders.map((h) => `pid ${h.pid}${h.user ? ` (role "${h.user}"${h.application ? `, application "${h.application}"` : ''})` : ''}`).join(', ');
    throw new RoleLockedError(keyOwner.get(key.join(':')) ?? '?', who, key);
  }
}

/** A role whose advisory lock another session holds: `holder` names it (pids and logins, as the catalog shows them). */
export class RoleLockedError extends ActionRefusedError {
  constructor(
    readonly role: string,
    readonly holder: string,
    key: readonly number[],
  ) {
    super(
      `role "${role}" is locked for pg-rotator's actions by ${holder} (advisory lock ${key.join(', ')}); nothing was changed. If it is not another pg-rotator action, end that session (SELECT pg_terminate_backend(<pid>)) and retry`,
    );
  }
}
