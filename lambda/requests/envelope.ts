import * as z from 'zod/mini';
import '../schema-messages';
import { ActionRequestSchema } from '../actions/action-request';
import { ActionResultSchema } from '../actions/action-result';
import { TestResultSchema } from '../checks/test-request';
import { DiscoveryResultSchema } from '../discovery/discovery';
import { StatusResultSchema } from '../status/status-request';
import { ErrorInfoSchema } from './error-info';
import { RotateResultSchema } from './rotate-request';


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
/** The response to a `status` request (answered by the status function). */
export const StatusResponseSchema = z.object({ kind: z.literal('status'), ...common, result: z.nullable(StatusResultSchema) });
/** The answer to a request whose kind was not recognised. */
export const UnknownKindResponseSchema = z.object({ kind: z.null(), ...common, result: z.null() });

/**
 * Every response: one envelope, told apart by `kind`. Orchestrator requests are always answered (never a Lambda
 * function error), so callers get a code for every failure, validation included.
 */
export const ResponseSchema = z
  .discriminatedUnion('kind', [ActionResponseSchema, TestResponseSchema, RotateResponseSchema, DiscoverResponseSchema, StatusResponseSchema, UnknownKindResponseSchema])
  .check(z.meta({ title: 'pg-rotator orchestrator response' }));
export type Response = z.infer<typeof ResponseSchema>;
export type ActionResponse = z.infer<typeof ActionResponseSchema>;
export type TestResponse = z.infer<typeof TestResponseSchema>;
export type RotateResponse = z.infer<typeof RotateResponseSchema>;
export type DiscoverResponse = z.infer<typeof DiscoverResponseSchema>;
export type StatusResponse = z.infer<typeof StatusResponseSchema>;
