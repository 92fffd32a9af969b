import { z } from 'zod';
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
  /** The orchestrator profile whose function answered (PROFILE): which powers the request had. */
  profile: z.string().optional(),
  caller: z.string(),
  kind: z.string().nullable(),
  action: z.string().optional(),
  role: z.string().optional(),
  database: z.string().optional(),
  secretId: z.string().optional(),
  dryRun: z.boolean().optional(),
  outcome: z.enum(['ok', 'error', 'rejected']),
  errorCode: z.string().optional(),
  /** The guard rule that refused an action (ACTION_REFUSED), e.g. protected.superuser. */
  rule: z.string().optional(),
  changed: z.boolean().optional(),
  sql: z.array(z.string()).optional(),
  rollback: z.unknown().nullable().optional(),
  durationMs: z.number().int(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/** Writes the record through the function's logger, whose redaction is a second line of defence. */
export function emitAudit(log: Pick<Logger, 'info'>, record: AuditRecord): void {
  log.info('audit', { audit: record });
}
