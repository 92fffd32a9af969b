import type { RotationBinding } from '../config/rotation-bindings';
import { ROTATION_BINDINGS_FILE } from '../config/rotation-bindings';
import { InvalidInputError } from '../errors';
import { sameSecret } from '../secrets/secret-arn';
import type { SourcedBinding } from './bound-secret';
import { cloneUsername } from './strategy';

/**
 * Companion secrets: one secret per login of a rotated secret, each holding that login's newest password as its
 * AWSCURRENT. For readers that take one secret per database user and read only AWSCURRENT: RDS Proxy cannot serve
 * both logins of an alternating pair from the pair's one secret, because that secret names one login at a time
 * (aws-samples/aws-secrets-manager-rotation-lambdas#108, aws/aws-cdk#25568, aws/aws-secretsmanager-jdbc#222).
 * With a companion per login, a proxy lists both companions and serves both logins.
 *
 * finishSecret writes them, before it moves AWSCURRENT, so a retry finds them written: each companion version takes
 * the id of the rotated secret's version whose password it carries, and a companion that already holds that id is
 * left alone. The login this rotation changes gets the pending version; the other login the current version (which
 * it already holds from the previous rotation, except on the first one).
 *
 * Where they come from: the deployment, never the secret's value (a value could otherwise send a password to any
 * secret the function may write): two fields of the secret's rotation binding (config/rotation-bindings.ts), the
 * companion of the bound `username` and the companion of `alternateUsername` (`<username>_clone` by default, as AWS
 * names the clone), from the bindings file or the secret's `pg-rotator:*` tags.
 */

export interface CompanionSecret {
  /** The login whose newest password the companion holds. */
  readonly login: string;
  /** The companion's ARN; the function's role may write it (PutSecretValue, DescribeSecret) and nothing else. */
  readonly secretArn: string;
}

/** The companions a secret's binding declares; none without a binding or when it declares none. */
export function companionSecretsOf(binding: RotationBinding | undefined): CompanionSecret[] {
  const username = binding?.username;
  if (binding === undefined || username === undefined) return [];
  const { usernameCompanionSecretArn: own, alternateUsernameCompanionSecretArn: alternate } = binding;
  return [
    ...(own === undefined ? [] : [{ login: username, secretArn: own }]),
    ...(alternate === undefined ? [] : [{ login: binding.alternateUsername ?? cloneUsername(username), secretArn: alternate }]),
  ];
}

/** Where a binding's companions were declared, as the field messages name. */
export function declaredIn(sourced: SourcedBinding | undefined): string {
  return sourced?.source === 'tags' ? 'secret.tags' : ROTATION_BINDINGS_FILE;
}

/** A version of the rotated secret: its id, its login, and its JSON as stored. */
export interface RotatedVersion {
  readonly versionId: string;
  readonly username: string;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One companion to bring up to date, and the version of the rotated secret it must hold. */
export interface CompanionWrite {
  readonly login: string;
  readonly secretArn: string;
  readonly version: RotatedVersion;
}

/** The logins and secrets of one rotation, for {@link checkCompanionSecrets}. */
export interface RotationLogins {
  readonly secretArn: string;
  readonly adminArn: string | undefined;
  /** The login whose password this rotation changes. */
  readonly pendingUsername: string;
  readonly currentUsername: string;
}

/**
 * Refuses a declaration that does not fit the rotation: a companion that is the rotated secret or its admin, no
 * companion for the login this rotation changes, or a login that is neither of the pair. createSecret checks it,
 * so a bad declaration stops a rotation before any password changes; finishSecret again, before it writes.
 *
 * @throws InvalidInputError naming where the declaration came from (`declaredIn`).
 */
export function checkCompanionSecrets(declared: readonly CompanionSecret[], rotation: RotationLogins, declaredIn: string): void {
  for (const companion of declared) {
    const isAdmin = rotation.adminArn !== undefined && sameSecret(companion.secretArn, rotation.adminArn);
    if (sameSecret(companion.secretArn, rotation.secretArn) || isAdmin) {
      throw new InvalidInputError(declaredIn, `name ${isAdmin ? 'its admin secret' : 'the rotated secret'} as the companion of login "${companion.login}"`);
    }
    if (companion.login !== rotation.pendingUsername && companion.login !== rotation.currentUsername) {
      throw new InvalidInputError(declaredIn, `declare login "${companion.login}", which is neither login of this rotation`);
    }
  }
  if (declared.length > 0 && !declared.some((companion) => companion.login === rotation.pendingUsername)) {
    throw new InvalidInputError(declaredIn, `declare no companion secret for login "${rotation.pendingUsername}", whose password this rotation changes`);
  }
}

/** Which companion gets which version: the pending login's the pending version, the other login's the current one. */
export function planCompanionWrites(
  declared: readonly CompanionSecret[],
  rotation: { readonly secretArn: string; readonly adminArn: string | undefined; readonly pending: RotatedVersion; readonly current: RotatedVersion },
  declaredIn: string,
): CompanionWrite[] {
  const { pending, current } = rotation;
  checkCompanionSecrets(declared, { ...rotation, pendingUsername: pending.username, currentUsername: current.username }, declaredIn);
  return declared.map((companion) => ({
    login: companion.login,
    secretArn: companion.secretArn,
    version: companion.login === pending.username ? pending : current,
  }));
}

/** The keys a companion holds: what a client needs to log in as that one login, and no rotation settings. */
const COMPANION_KEYS = ['engine', 'host', 'port', 'dbname', 'username', 'password', 'ssl', 'sslmode', 'sslrootcertPem'] as const;

/**
 * A companion's JSON: the version's connection keys, login and password, in the version's own types. Without
 * `masterarn`, `strategy` or `alternateUsername`, a companion cannot be mistaken for a secret to rotate. The same
 * version always gives the same text, so writing it again is PutSecretValue's idempotent no-op.
 */
export function companionValue(raw: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.fromEntries(COMPANION_KEYS.filter((key) => raw[key] !== undefined).map((key) => [key, raw[key]])));
}
