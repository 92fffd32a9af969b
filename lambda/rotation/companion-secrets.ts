import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { IdentifierSchema } from '../postgres/identifiers';

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
 * secret the function may write). Two fields of a secret's rotation binding, {@link CompanionBinding}: the companion
 * of the bound `username`, and the companion of `alternateUsername` (`<username>_clone` by default, as AWS names
 * the clone). Until bindings are resolved for every secret, they are read from tags on the rotated secret, each
 * beside the tag naming its login ({@link companionBindingFromTags}).
 */

/** A Secrets Manager secret's complete ARN: what IAM grants write access to, so nothing looser is accepted. */
const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const CompanionArnSchema = z.string().regex(SECRET_ARN, 'must be a Secrets Manager secret ARN');

/** The fields a rotation binding carries to declare companions, beside its `username` and `alternateUsername`. */
export const CompanionBindingFieldsSchema = z.object({
  /** The companion of the binding's `username`. */
  usernameCompanionSecretArn: CompanionArnSchema.optional(),
  /** The companion of the binding's `alternateUsername` (`<username>_clone` when the binding names none). */
  alternateUsernameCompanionSecretArn: CompanionArnSchema.optional(),
});

/** What a binding says about companions: its logins, and their companions. */
export interface CompanionBinding extends z.infer<typeof CompanionBindingFieldsSchema> {
  readonly username?: string | undefined;
  readonly alternateUsername?: string | undefined;
}

/** The tag of each binding field this module reads, as the bindings' `pg-rotator:*` tags name them. */
export const COMPANION_TAGS = {
  username: 'pg-rotator:username',
  alternateUsername: 'pg-rotator:alternate-username',
  usernameCompanionSecretArn: 'pg-rotator:username-companion-secret',
  alternateUsernameCompanionSecretArn: 'pg-rotator:alternate-username-companion-secret',
} as const satisfies Record<keyof CompanionBinding, string>;

export interface CompanionSecret {
  /** The login whose newest password the companion holds. */
  readonly login: string;
  /** The companion's ARN; the function's role may write it (PutSecretValue, DescribeSecret) and nothing else. */
  readonly secretArn: string;
}

/** The companion fields of a secret's tags (as DescribeSecret returns them), as a binding would carry them. */
export function companionBindingFromTags(tags: readonly { readonly Key?: string; readonly Value?: string }[]): CompanionBinding {
  const value = (key: string) => tags.find((tag) => tag.Key === key)?.Value;
  const binding: Partial<Record<keyof CompanionBinding, string>> = {};
  for (const [field, tag] of Object.entries(COMPANION_TAGS) as [keyof CompanionBinding, string][]) {
    const found = value(tag);
    if (found !== undefined) binding[field] = found;
  }
  return binding;
}

/**
 * The companions a binding declares; none when it declares no companion.
 *
 * @throws InvalidInputError naming the field (in `declaredIn`: `tags`, or the bindings file's path).
 */
export function companionSecretsOf(binding: CompanionBinding, declaredIn: string): CompanionSecret[] {
  const field = (name: keyof CompanionBinding) => (declaredIn === 'tags' ? `tags.${COMPANION_TAGS[name]}` : `${declaredIn}.${name}`);
  const arns = CompanionBindingFieldsSchema.safeParse(binding);
  if (!arns.success) throw new InvalidInputError(field(arns.error.issues[0]?.path[0] as keyof CompanionBinding), arns.error.issues[0]?.message ?? 'is invalid');
  const { usernameCompanionSecretArn, alternateUsernameCompanionSecretArn } = arns.data;
  if (usernameCompanionSecretArn === undefined && alternateUsernameCompanionSecretArn === undefined) return [];
  const username = binding.username;
  if (username === undefined || !IdentifierSchema.safeParse(username).success) {
    throw new InvalidInputError(field('username'), 'must name the bound login (1 to 63 bytes, no NUL): companion secrets are declared for it');
  }
  const alternateUsername = binding.alternateUsername ?? `${username}_clone`;
  const declared = [
    ...(usernameCompanionSecretArn === undefined ? [] : [{ login: username, secretArn: usernameCompanionSecretArn }]),
    ...(alternateUsernameCompanionSecretArn === undefined ? [] : [{ login: alternateUsername, secretArn: alternateUsernameCompanionSecretArn }]),
  ];
  if (declared.length === 2 && usernameCompanionSecretArn === alternateUsernameCompanionSecretArn) {
    throw new InvalidInputError(field('alternateUsernameCompanionSecretArn'), "must differ from the username's companion: one secret per login");
  }
  return declared;
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
    if (companion.secretArn === rotation.secretArn || companion.secretArn === rotation.adminArn) {
      throw new InvalidInputError(declaredIn, `name ${companion.secretArn === rotation.secretArn ? 'the rotated secret' : 'its admin secret'} as the companion of login "${companion.login}"`);
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
