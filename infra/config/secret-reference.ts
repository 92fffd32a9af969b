import { z } from 'zod';
import { InvalidInputError } from '../../lambda/errors';
import { KMS_KEY_ARN, SECRET_COMPLETE_ARN, SECRET_PARTIAL_ARN, secretNameOf } from './arns';
import { fieldPath } from './field-path';

/**
 * How the config names a secret (`arn` or `partialArn`, and its `kmsKeyArn`), shared by `secrets[]` and
 * `orchestration`, and the rule every rotated secret's reference follows.
 */

const id = (pattern: RegExp, what: string) => z.string().regex(pattern, { error: `must be ${what}` });

import { StrategySchema } from '../../lambda/config/environment';
import { ADMIN_STRATEGIES } from '../../lambda/config/rotation-bindings';
import { IdentifierSchema } from '../../lambda/postgres/identifiers';

/** A secret is named by exactly one of `arn` (complete) or `partialArn`, plus its KMS key when it has a customer key. */
export const secretReferenceFields = {
  arn: id(SECRET_COMPLETE_ARN, 'a complete secret ARN (ending in -XXXXXX); use partialArn for a name-only ARN').optional(),
  partialArn: id(SECRET_PARTIAL_ARN, 'a secret ARN without the random suffix').optional(),
  kmsKeyArn: id(KMS_KEY_ARN, 'a KMS key ARN (arn:...:kms:region:account:key/id), not an alias').optional(),
};

export function requireExactlyOneArn(secret: { arn?: string; partialArn?: string }, ctx: z.RefinementCtx): void {
  if ((secret.arn === undefined) === (secret.partialArn === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['arn'], message: 'give exactly one of arn and partialArn' });
  }
}

/**
 * The ARN a validated secret reference names, whether it is complete, and the config field it came from.
 *
 * @throws {InvalidInputError} only for a reference that skipped the schema (it guarantees exactly one).
 */
export function referencedArn(reference: { arn?: string; partialArn?: string }): {
  arn: string;
  complete: boolean;
  field: 'arn' | 'partialArn';
} {
  if (reference.arn !== undefined) return { arn: reference.arn, complete: true, field: 'arn' };
  if (reference.partialArn !== undefined) return { arn: reference.partialArn, complete: false, field: 'partialArn' };
  throw new InvalidInputError('arn', 'give exactly one of arn and partialArn');
}

export const SecretReferenceSchema = z.strictObject(secretReferenceFields).superRefine(requireExactlyOneArn);

/** A secret named only to be matched against `secrets[]`: its key comes from that entry. */
export const ScheduledSecretReferenceSchema = z
  .strictObject({ arn: secretReferenceFields.arn, partialArn: secretReferenceFields.partialArn })
  .superRefine(requireExactlyOneArn);

/**
 * What a rotated secret is bound to, besides its ARN: the facts the rotation takes from the deployment, never from
 * the secret's value (lambda/config/rotation-bindings.ts). Shared by scheduled and inline rotations.
 */
export const bindingFields = {
  /**
   * With adminSecret, default `connection.defaultStrategy`, else `alternating` (what AWS's functions do with a
   * masterarn); without, `single-user`.
   */
  strategy: z.optional(StrategySchema),
  /** The login the secret holds; required for the admin strategies. */
  username: z.optional(IdentifierSchema),
  /** The alternating pair's second login; default `<username>_clone`. */
  alternateUsername: z.optional(IdentifierSchema),
  /** alternating-owner: the NOLOGIN role both logins act as. */
  ownerRole: z.optional(IdentifierSchema),
};

/**
 * Admin strategies need the admin secret whose login changes the password, and the login it may change: a binding
 * without one would let the secret's value aim the admin at any role. Shared by scheduled and inline rotations.
 */
export function requireAdminSecretForStrategy(
  secret: { strategy?: string; adminSecret?: unknown; username?: string; ownerRole?: string },
  ctx: z.RefinementCtx,
): void {
  const isAdmin = (ADMIN_STRATEGIES as readonly string[]).includes(secret.strategy ?? (secret.adminSecret === undefined ? 'single-user' : 'alternating'));
  if (secret.strategy !== undefined && isAdmin && secret.adminSecret === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['adminSecret'],
      message: `required for strategy '${secret.strategy}': the admin secret whose login changes the password`,
    });
  }
  if (isAdmin && secret.username === undefined) {
    ctx.addIssue({ code: 'custom', path: ['username'], message: 'required with an admin secret: the login the admin may change (the secret binds it)' });
  }
  if (secret.strategy === 'alternating-owner' && secret.ownerRole === undefined) {
    ctx.addIssue({ code: 'custom', path: ['ownerRole'], message: "required for strategy 'alternating-owner'" });
  }
}

/** A secret reference somewhere in the config, and its path there (without the `arn`/`partialArn` key). */
export interface PlacedReference {
  readonly reference: { readonly arn?: string; readonly partialArn?: string; readonly kmsKeyArn?: string };
  readonly path: (string | number)[];
}

/** A rotated secret's companion secrets, by the login they hold. */
export function companionsOf<R>(secret: { readonly companionSecrets?: Readonly<Record<string, R | undefined>> }): [string, R][] {
  return Object.entries(secret.companionSecrets ?? {}).filter((entry): entry is [string, R] => entry[1] !== undefined);
}

/** The name a reference's ARN gives (unique in the account and region), whether it is complete or partial. */
export function referencedName(reference: { readonly arn?: string; readonly partialArn?: string }): string {
  const { arn, complete } = referencedArn(reference);
  return secretNameOf(arn, complete);
}

/**
 * The secrets the function writes as companions must be secrets of their own: one that is also rotated, an admin
 * secret, or another rotation's companion would have its AWSCURRENT overwritten with a login's credentials.
 */
export function requireCompanionsOfTheirOwn(others: readonly PlacedReference[], companions: readonly PlacedReference[], ctx: z.RefinementCtx): void {
  const named = new Map(others.map((placed) => [referencedName(placed.reference), placed] as const));
  for (const companion of companions) {
    const name = referencedName(companion.reference);
    const earlier = named.get(name);
    if (earlier !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...companion.path, referencedArn(companion.reference).field],
        message: `names the same secret as ${fieldPath(earlier.path)}; a companion must be a secret of its own, since the function writes its AWSCURRENT`,
      });
    }
    named.set(name, companion);
  }
}

/**
 * A secret has one key, so every reference to it must give the same `kmsKeyArn` (or none): the stack imports each
 * secret once, and a key missing from the first reference would be missing from every grant.
 */
export function requireOneKeyPerSecret(references: readonly PlacedReference[], ctx: z.RefinementCtx): void {
  const first = new Map<string, PlacedReference>();
  for (const placed of references) {
    const name = referencedName(placed.reference);
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, placed);
    } else if (earlier.reference.kmsKeyArn !== placed.reference.kmsKeyArn) {
      ctx.addIssue({
        code: 'custom',
        path: [...placed.path, 'kmsKeyArn'],
        message: `must be the same as for ${fieldPath(earlier.path)}, which names the same secret: a secret has one key`,
      });
    }
  }
}
