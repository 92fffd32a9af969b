import type { RotatedRoles } from '../catalog/protected-roles';
import type { BoundRoleFields } from '../config/declarations';
import { rotatedRolesOf } from '../config/declarations';
import { StrategySchema } from '../config/environment';
import type { TaggedSecret } from '../secrets/tagged-secrets';
import type { SecretTag } from './binding-tags';
import { BINDING_TAGS } from './binding-tags';

/**
 * The rotated roles of secrets bound by `pg-rotator:*` tags (secrets attached from other stacks, and the construct's
 * own secrets whose ARN is known only at deploy time), which the bindings file does not name. Orchestrator actions
 * must leave them alone as they do the file's (protected.rotated-login, protected.owner-role), so the orchestrator
 * function lists them: one filtered ListSecrets walk (secrets/tagged-secrets.ts), kept for a few minutes.
 */

/** The tags that name roles: a secret carrying neither names no role to protect (a single-user binding by strategy alone). */
export const ROLE_TAGS: readonly string[] = [BINDING_TAGS.username, BINDING_TAGS.ownerRole];

/** How long a container keeps the list: as long as ListSecrets itself may lag ("the last five minutes"). */
export const TAG_BOUND_ROLES_TTL_MS = 5 * 60_000;

/**
 * The role-naming fields a secret's tags declare, read leniently: a binding the rotation would refuse (a tag missing,
 * a strategy misspelt) still names the roles it would touch, and protecting a name in vain costs nothing, where
 * leaving a rotated login unprotected costs its rotation. Values are compared with role names, never put in SQL.
 *
 * @example
 * roleFieldsFromTags([{ Key: 'pg-rotator:username', Value: 'app' }]) // { username: 'app' } (and app_clone is counted)
 */
export function roleFieldsFromTags(tags: readonly SecretTag[]): BoundRoleFields {
  const value = (tag: string) => {
    const found = tags.find((t) => t.Key === tag)?.Value;
    return found === undefined || found === '' ? undefined : found;
  };
  const strategy = StrategySchema.safeParse(value(BINDING_TAGS.strategy));
  return {
    strategy: strategy.success ? strategy.data : undefined,
    username: value(BINDING_TAGS.username),
    alternateUsername: value(BINDING_TAGS.alternateUsername),
    ownerRole: value(BINDING_TAGS.ownerRole),
  };
}

/** The rotated roles these tagged secrets name. */
export function tagBoundRolesOf(secrets: readonly TaggedSecret[]): RotatedRoles {
  return rotatedRolesOf(secrets.map((secret) => roleFieldsFromTags(secret.tags)));
}

/**
 * The tag-bound roles, listed at most once per `ttlMs` per container: concurrent callers share one listing, and a
 * failed listing is not kept, so the next caller tries again (and, like this one, gets the error: an action must not
 * run on a list it could not read).
 *
 * @param list one listing (listTaggedSecrets on the container's client, filtered on {@link ROLE_TAGS})
 */
export function cachedTagBoundRoles(
  list: () => Promise<readonly TaggedSecret[]>,
  options: { readonly ttlMs?: number; readonly now?: () => number } = {},
): () => Promise<RotatedRoles> {
  const ttlMs = options.ttlMs ?? TAG_BOUND_ROLES_TTL_MS;
  const now = options.now ?? Date.now;
  let cached: { readonly at: number; readonly roles: Promise<RotatedRoles> } | undefined;
  return () => {
    const at = now();
    if (cached === undefined || at - cached.at >= ttlMs) {
      const roles = list().then(tagBoundRolesOf);
      const entry = { at, roles };
      cached = entry;
      roles.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.roles;
  };
}
