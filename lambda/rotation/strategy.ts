import type { Strategy } from '../config/environment';
import { InvalidInputError } from '../errors';
import { MAX_IDENTIFIER_BYTES } from '../postgres/identifiers';
import type { DatabaseSecret } from '../secrets/secret-format';

/**
 * Which strategy rotates a secret, once its binding is applied (bound-secret.ts writes the bound strategy, admin
 * secret and owner role into it). The secret's `strategy` wins, then the function's DEFAULT_STRATEGY; with neither,
 * we do what AWS's functions do with the same secret: `masterarn` present means alternating users (`<user>_clone`),
 * absent means single user.
 */
export function resolveStrategy(secret: DatabaseSecret, environmentDefault: Strategy | undefined): Strategy {
  const strategy = secret.strategy ?? environmentDefault ?? (secret.masterarn === undefined ? 'single-user' : 'alternating');
  if (strategy !== 'single-user' && secret.masterarn === undefined) {
    throw new InvalidInputError('secret.masterarn', `is required for the ${strategy} strategy (the admin secret's ARN)`);
  }
  if (strategy === 'alternating-owner' && secret.ownerRole === undefined) {
    throw new InvalidInputError('secret.ownerRole', 'is required for the alternating-owner strategy');
  }
  return strategy;
}

export function isAlternating(strategy: Strategy): boolean {
  return strategy === 'alternating' || strategy === 'alternating-owner';
}

/** The login the pending version names, and the partner it records. */
export interface PendingLogin {
  readonly username: string;
  readonly alternateUsername: string | undefined;
}

/**
 * The login that receives the new password. Single-user and admin: the same one. Alternating: the one not in
 * AWSCURRENT, which is the one in AWSPREVIOUS, so both labels keep logging in. With `alternateUsername` the two
 * named roles swap places; without it, AWS's scheme toggles a `_clone` suffix.
 */
export function pendingLogin(strategy: Strategy, current: DatabaseSecret): PendingLogin {
  if (!isAlternating(strategy)) return { username: current.username, alternateUsername: current.alternateUsername };
  if (current.alternateUsername !== undefined) {
    return { username: current.alternateUsername, alternateUsername: current.username };
  }
  return { username: cloneUsername(current.username), alternateUsername: undefined };
}

/** AWS's get_alt_username: strip `_clone`, or append it within PostgreSQL's 63-byte identifier limit. */
export function cloneUsername(username: string): string {
  if (username.endsWith(CLONE_SUFFIX)) return username.slice(0, -CLONE_SUFFIX.length);
  const clone = username + CLONE_SUFFIX;
  if (Buffer.byteLength(clone, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new InvalidInputError(
      'secret.username',
      `is too long to alternate with a ${CLONE_SUFFIX} login (${MAX_IDENTIFIER_BYTES}-byte limit); name the second login in alternateUsername`,
    );
  }
  return clone;
}

const CLONE_SUFFIX = '_clone';

/**
 * The pending secret JSON: the current secret unchanged, key order and value types included, but for the new
 * password and, when alternating, the other login.
 */
export function pendingSecretValue(currentRaw: Readonly<Record<string, unknown>>, login: PendingLogin, password: string): Record<string, unknown> {
  const pending: Record<string, unknown> = { ...currentRaw, username: login.username, password };
  if (login.alternateUsername !== undefined) pending.alternateUsername = login.alternateUsername;
  return pending;
}
