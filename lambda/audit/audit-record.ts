import * as z from 'zod/mini';
import { ACTION_NAMES } from '../actions/action-names';
import '../schema-messages';
import type { Logger } from '../log/logger';
import type { RequestOutcomeLabel } from '../log/metric-catalog';
import { requestMetrics } from '../log/metric-catalog';

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
  profile: z.optional(z.string()),
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

/**
 * Writes the record through the function's logger, whose redaction is a second line of defence, with the request's
 * metrics (Requests, RequestDuration, RequestFailures, Actions) on the same line.
 */
export function emitAudit(log: Pick<Logger, 'info'>, record: AuditRecord): void {
  // Only a known action name becomes a dimension value: a rejected request's `action` is whatever the caller sent.
  const action = record.kind === 'action' ? (ACTION_NAMES as readonly (string | undefined)[]).find((name) => name === record.action) ?? 'unknown' : undefined;
  const metrics = requestMetrics({
    kind: record.kind ?? 'unknown',
    outcome: outcomeLabel(record),
    durationMs: record.durationMs,
    ...(record.errorCode === undefined ? {} : { code: record.errorCode }),
    ...(action === undefined ? {} : { action }),
  });
  log.info('audit', { audit: record }, metrics);
}

function outcomeLabel(record: AuditRecord): RequestOutcomeLabel {
  if (record.outcome === 'ok') return record.dryRun === true ? 'dry-run' : 'ok';
  return record.outcome === 'error' && record.errorCode === 'ACTION_REFUSED' ? 'refused' : record.outcome;
}
