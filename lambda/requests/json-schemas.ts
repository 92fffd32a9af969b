import * as z from 'zod/mini';
import '../schema-messages';
import { PermissionPolicySchema } from '../actions/permission-policy';
import { ResponseSchema } from './envelope';
import { OrchestratorRequestSchema } from './orchestrator-request';

/**
 * The JSON Schemas published for orchestrators (and, for the permission policy, deployers) under schemas/, generated from the zod schemas the function
 * validates with (scripts/generate-schemas.ts writes them; a test fails when they are stale). Requests are
 * described as callers write them (defaults optional), responses as the function sends them. Checks zod cannot
 * express in JSON Schema (an identifier's 63-byte limit counts bytes, not characters) are enforced by the
 * function and named in the field descriptions.
 */
export function jsonSchemas(): Record<string, unknown> {
  return {
    'request.schema.json': z.toJSONSchema(OrchestratorRequestSchema, { io: 'input', target: 'draft-2020-12' }),
    'response.schema.json': z.toJSONSchema(ResponseSchema, { io: 'output', target: 'draft-2020-12' }),
    // For deployers rather than orchestrators: the permission policy as written in the config (docs/policy.md).
    'permission-policy.schema.json': z.toJSONSchema(PermissionPolicySchema, { io: 'input', target: 'draft-2020-12' }),
  };
}

/** A schema document as written to disk: stable two-space JSON with a final newline. */
export function schemaFileText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
