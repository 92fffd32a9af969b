import * as z from 'zod/mini';
import '../schema-messages';
import type { Logger } from '../log/logger';

/**
 * One audit record per orchestrator request (actions, tests, rotations, discovery), written as its own
 * structured log line (`"message":"audit"`), so a CloudWatch Logs Insights query or subscription filter on
 * `audit.schema` finds every one. It names who asked, what, where and how it ended, never a credential: the
 * password of a secret, the payload's revealed password and server-side verifiers are not part of it.
 */
export const AuditRecordSchema = z.object({
  schema: z.literal('pg-rotator.audit/1'),
  requestId: z.string(),
  caller: z.string(),
  kind: z.nullable(z.string()),
  action: z.optional(z.string()),
  role: z.optional(z.string()),
  database: z.optional(z.string()),
  secretId: z.optional(z.string()),
  dryRun: z.optional(z.boolean()),
  outcome: z.enum(['ok', 'error', 'rejected']),
  errorCode: z.optional(z.string()),
  /** The guard rule that refused an action (ACTION_REFUSED), e.g. protected.superuser. */
  rule: z.optional(z.string()),
  changed: z.optional(z.boolean()),
  sql: z.optional(z.array(z.string())),
  rollback: z.optional(z.nullable(z.unknown())),
  durationMs: z.int(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/** Writes the record through the function's logger, whose redaction is a second line of defence. */
export function emitAudit(log: Pick<Logger, 'info'>, record: AuditRecord): void {
  log.info('audit', { audit: record });
}
