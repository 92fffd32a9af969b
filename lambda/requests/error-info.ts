import * as z from 'zod/mini';
import '../schema-messages';
import { ActionRefusedError, DependentObjectsError, InvalidInputError, PgRotatorError } from '../errors';

/** A failure as callers see it: a stable code to branch on and a message naming what failed, never a value. */
export const ErrorInfoSchema = z.object({
  code: z
    .string()
    .check(z.meta({ description: 'Stable: INVALID_INPUT, ROLE_NOT_FOUND, ROLE_EXISTS, ROLE_HAS_DEPENDENTS, ACTION_REFUSED, ROTATION_STATE, SECRETS_MANAGER, DB_*, INTERNAL.' })),
  message: z.string(),
  field: z.optional(z.string()).check(z.meta({ description: 'With INVALID_INPUT: the dotted path of the offending field.' })),
  dependents: z.optional(z.array(z.string())).check(z.meta({ description: 'With ROLE_HAS_DEPENDENTS: what the role owns or holds (drop-user), or granted on to others (revoke-privileges, revoke-all-privileges).' })),
  rule: z
    .optional(z.string())
    .check(z.meta({ description: 'With ACTION_REFUSED by the permission policy or a protected role: the rule, e.g. protected.superuser, policy.grant-not-allowed (docs/policy.md).' })),
}).register(z.globalRegistry, { id: 'ErrorInfo' });
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/**
 * How an error reaches the caller. Our errors are written never to carry a secret and pass through; anything
 * else (a driver or SDK error that slipped through) becomes INTERNAL without its message, which is not ours to
 * vouch for.
 */
export function errorInfo(error: unknown): ErrorInfo {
  if (!(error instanceof PgRotatorError)) return { code: 'INTERNAL', message: 'unexpected error; see the function log for its name' };
  return {
    code: error.code,
    message: error.message,
    ...(error instanceof InvalidInputError ? { field: error.field } : {}),
    ...(error instanceof DependentObjectsError ? { dependents: [...error.dependents] } : {}),
    ...(error instanceof ActionRefusedError && error.rule !== undefined ? { rule: error.rule } : {}),
  };
}
