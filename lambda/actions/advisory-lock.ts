import { createHash } from 'node:crypto';
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

/**
 * Statements that take the transaction-scoped locks of these roles, in one global order (by key), so two
 * actions locking overlapping roles cannot deadlock. The locks are released by COMMIT or ROLLBACK.
 */
export function lockStatements(roles: readonly string[]): Statement[] {
  const keys = [...new Map(roles.map((role) => { const key = roleLockKey(role); return [key.join(':'), key] as const; })).values()];
  keys.sort((a, b) => a[1] - b[1]);
  return keys.map(([namespace, key]) => ({ text: 'SELECT pg_catalog.pg_advisory_xact_lock($1, $2)', values: [namespace, key] }));
}
