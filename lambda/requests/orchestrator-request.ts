import * as z from 'zod/mini';
import '../schema-messages';
import { ActionRequestSchema } from '../actions/action-request';
import { TestRequestSchema } from '../checks/test-request';
import { DiscoverRequestSchema } from '../discovery/discovery';
import { StatusRequestSchema } from '../status/status-request';
import { RotateRequestSchema } from './rotate-request';

/**
 * The request kinds orchestrators send, told apart by `kind` (rotation events have `Step`, ESC events `type`). `status`
 * is answered by the status function, whose role lists secrets and reads no value; the orchestrator refuses it.
 */
export const REQUEST_KINDS = ['action', 'test', 'rotate', 'discover', 'status'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/**
 * Every orchestrator request, one zod schema: the single source of the TypeScript types, the runtime validation
 * and the published JSON Schema (schemas/request.schema.json).
 */
export const OrchestratorRequestSchema = z
  .discriminatedUnion('kind', [ActionRequestSchema, TestRequestSchema, RotateRequestSchema, DiscoverRequestSchema, StatusRequestSchema])
  .check(z.meta({ title: 'pg-rotator orchestrator request' }));
export type OrchestratorRequest = z.infer<typeof OrchestratorRequestSchema>;
/** What a caller may send: defaults not yet applied. */
export type OrchestratorRequestInput = z.input<typeof OrchestratorRequestSchema>;
