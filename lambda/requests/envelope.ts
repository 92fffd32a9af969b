import * as z from 'zod/mini';
import '../schema-messages';
import { ActionRequestSchema } from '../actions/action-request';
import { ActionResultSchema } from '../actions/action-result';
import { TestResultSchema } from '../checks/test-request';
import { DiscoveryResultSchema } from '../discovery/discovery';
import { ActionRefusedError, DependentObjectsError, InvalidInputError, PgRotatorError } from '../errors';
import { RotateResultSchema } from './rotate-request';

/** A failure as callers see it: a stable code to branch on and a message naming what failed, never a value. */
export const ErrorInfoSchema = z.object({
  code: z
    .string()
    .check(z.meta({ description: 'Stable: INVALID_INPUT, ROLE_NOT_FOUND, ROLE_EXISTS, ROLE_HAS_DEPENDENTS, ACTION_REFUSED, ROTATION_STATE, SECRETS_MANAGER, DB_*, INTERNAL.' })),
  message: z.string(),
  field: z.optional(z.string()).check(z.meta({ description: 'With INVALID_INPUT: the dotted path of the offending field.' })),
  dependents: z.optional(z.array(z.string())).check(z.meta({ description: 'With ROLE_HAS_DEPENDENTS: what the role owns or holds.' })),
  rule: z
    .optional(z.string())
    .check(z.meta({ description: 'With ACTION_REFUSED by the permission policy or a protected role: the rule, e.g. protected.superuser, policy.grant-not-allowed (docs/policy.md).' })),
}).register(z.globalRegistry, { id: 'ErrorInfo' });
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

const common = {
  ok: z.boolean(),
  requestId: z.string().check(z.meta({ description: "The Lambda request id (the invocation's awsRequestId), also in the audit record." })),
  durationMs: z.int().check(z.minimum(0)),
  error: z.nullable(ErrorInfoSchema),
};

/** The response to an `action` request. */
export const ActionResponseSchema = z.object({
  kind: z.literal('action'),
  ...common,
  result: z.nullable(ActionResultSchema),
  rollback: z
    .nullable(ActionRequestSchema)
    .check(z.meta({ description: 'The request that undoes this action, ready to send back as is; null when nothing needs or can be undone.' })),
});
/** The response to a `test` request. */
export const TestResponseSchema = z.object({ kind: z.literal('test'), ...common, result: z.nullable(TestResultSchema) });
/** The response to a `rotate` request. */
export const RotateResponseSchema = z.object({ kind: z.literal('rotate'), ...common, result: z.nullable(RotateResultSchema) });
/** The response to a `discover` request. */
export const DiscoverResponseSchema = z.object({ kind: z.literal('discover'), ...common, result: z.nullable(DiscoveryResultSchema) });
/** The answer to a request whose kind was not recognised. */
export const UnknownKindResponseSchema = z.object({ kind: z.null(), ...common, result: z.null() });

/**
 * Every response: one envelope, told apart by `kind`. Orchestrator requests are always answered (never a Lambda
 * function error), so callers get a code for every failure, validation included.
 */
export const ResponseSchema = z
  .discriminatedUnion('kind', [ActionResponseSchema, TestResponseSchema, RotateResponseSchema, DiscoverResponseSchema, UnknownKindResponseSchema])
  .check(z.meta({ title: 'pg-rotator orchestrator response' }));
export type Response = z.infer<typeof ResponseSchema>;
export type ActionResponse = z.infer<typeof ActionResponseSchema>;
export type TestResponse = z.infer<typeof TestResponseSchema>;
export type RotateResponse = z.infer<typeof RotateResponseSchema>;
export type DiscoverResponse = z.infer<typeof DiscoverResponseSchema>;

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
