import type { RotationBinding } from '../config/rotation-bindings';
import { RotationBindingSchema } from '../config/rotation-bindings';
import { InvalidInputError } from '../errors';

/** A tag as DescribeSecret returns it. */
export interface SecretTag {
  readonly Key?: string;
  readonly Value?: string;
}

/** The prefix of every tag that binds a secret; only the deployer may set such tags (docs/threat-model.md). */
export const BINDING_TAG_PREFIX = 'pg-rotator:';

/** Each binding field and the tag that carries it. */
export const BINDING_TAGS = {
  strategy: 'pg-rotator:strategy',
  adminSecretArn: 'pg-rotator:admin-secret',
  ownerRole: 'pg-rotator:owner-role',
  username: 'pg-rotator:username',
  alternateUsername: 'pg-rotator:alternate-username',
  usernameCompanionSecretArn: 'pg-rotator:username-companion-secret',
  alternateUsernameCompanionSecretArn: 'pg-rotator:alternate-username-companion-secret',
} as const satisfies Record<Exclude<keyof RotationBinding, 'secretArn'>, string>;

/**
 * The binding a secret's `pg-rotator:*` tags declare, read from the gate's DescribeSecret (Tags are in its answer: no
 * extra call), or undefined when it carries none. Tags bind only in a deployment that lets them (the environment's
 * ROTATION_BINDING_TAGS); an unknown `pg-rotator:` tag, or tags that do not make a whole binding, are refused naming the
 * tag, rather than half-applied.
 *
 * @example
 * bindingFromTags(arn, [{ Key: 'pg-rotator:strategy', Value: 'single-user' }]); // { secretArn: arn, strategy: 'single-user' }
 */
export function bindingFromTags(secretArn: string, tags: readonly SecretTag[]): RotationBinding | undefined {
  const ours = tags.filter((tag) => tag.Key?.startsWith(BINDING_TAG_PREFIX));
  if (ours.length === 0) return undefined;
  const fieldOf = new Map(Object.entries(BINDING_TAGS).map(([field, tag]) => [tag as string, field]));
  const fields: Record<string, string> = {};
  for (const tag of ours) {
    const field = fieldOf.get(tag.Key as string);
    if (field === undefined) throw new InvalidInputError(`secret.tags.${tag.Key}`, `is not a pg-rotator binding tag (${Object.values(BINDING_TAGS).join(', ')})`);
    fields[field] = tag.Value ?? '';
  }
  const parsed = RotationBindingSchema.safeParse({ secretArn, ...fields });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'strategy') as keyof typeof BINDING_TAGS;
    throw new InvalidInputError(`secret.tags.${BINDING_TAGS[field] ?? field}`, issue?.message ?? 'is invalid');
  }
  return parsed.data;
}
