import { randomUUID } from 'node:crypto';
import { emitAudit } from '../audit/audit-record';
import { InvalidInputError, PgRotatorError } from '../errors';
import type { Logger } from '../log/logger';
import { statusMetrics } from '../log/metric-catalog';
import type { InvocationContext } from '../requests/caller';
import { callerOf, CallerSchema } from '../requests/caller';
import type { StatusResponse } from '../requests/envelope';
import type { ErrorInfo } from '../requests/error-info';
import { errorInfo } from '../requests/error-info';
import { firstIssue } from '../validation';
import type { StatusCheckDeps } from './check-status';
import { checkStatus } from './check-status';
import type { SecretStatus, StatusResult } from './status-request';
import { StatusRequestSchema } from './status-request';

/** The Lambda context as the status function reads it: the request id, the caller, the time left. */
export interface StatusContext extends InvocationContext {
  getRemainingTimeInMillis?(): number;
}

/** What answering a status request needs, made once per container by the handler. */
export interface StatusRequestDeps extends Omit<StatusCheckDeps, 'deadline'> {
  readonly log: Logger;
  /** Time kept back from the invocation's deadline for answering and logging. @default 10 s */
  readonly reserveMs?: number;
  /** The listing's time budget when no Lambda context says how much time is left. @default 60 s */
  readonly budgetMs?: number;
}

/**
 * Answers a `status` request with the response envelope, as orchestrator requests are answered (failures included,
 * never a function error), writes one audit record, one summary line carrying the finding counts as metrics
 * (ManagedSecrets, StuckSecrets, OverdueSecrets, RotationDisabledSecrets, StatusIncomplete) and one line per finding
 * with the secret's ARN, for Logs Insights and metric filters.
 */
export async function handleStatusRequest(event: unknown, deps: StatusRequestDeps, context?: StatusContext): Promise<StatusResponse> {
  const started = performance.now();
  const requestId = context?.awsRequestId ?? randomUUID();
  const fields = typeof event === 'object' && event !== null && !Array.isArray(event) ? (event as Record<string, unknown>) : {};
  const requestCaller = CallerSchema.safeParse(fields.caller);
  const caller = callerOf(requestCaller.success ? requestCaller.data : undefined, context);
  const finish = (outcome: 'ok' | 'error' | 'rejected', result: StatusResult | null, error: ErrorInfo | null): StatusResponse => {
    const durationMs = Math.round(performance.now() - started);
    emitAudit(deps.log, { schema: 'pg-rotator.audit/1', requestId, caller, kind: 'status', outcome, ...(error ? { errorCode: error.code } : {}), durationMs });
    return { kind: 'status', ok: error === null, requestId, durationMs, error, result };
  };

  if (fields.kind !== 'status') {
    return finish('rejected', null, errorInfo(new InvalidInputError('request.kind', 'must be "status": this function answers status requests only')));
  }
  const parsed = StatusRequestSchema.safeParse(event);
  if (!parsed.success) return finish('rejected', null, errorInfo(firstIssue(parsed.error, 'request')));
  try {
    const remaining = context?.getRemainingTimeInMillis?.();
    const deadline = Date.now() + (remaining === undefined ? (deps.budgetMs ?? 60_000) : remaining - (deps.reserveMs ?? 10_000));
    const { result, flagged } = await checkStatus(parsed.data, { ...deps, deadline });
    logFindings(deps.log, result, flagged, parsed.data.namePrefix);
    return finish('ok', result, null);
  } catch (error) {
    // Our errors never hold a value; anything else is reduced to its name (as rotation/run-step.ts's describeError does).
    const described = error instanceof PgRotatorError ? { name: error.name, code: error.code, message: error.message } : { name: error instanceof Error ? error.name : 'UnknownError' };
    deps.log.error('status request failed', { requestId, error: described });
    return finish('error', null, errorInfo(error));
  }
}

/** One line per finding (the secret stays in the line, never in a metric), then the summary with the counts as metrics. */
function logFindings(log: Logger, result: StatusResult, flagged: readonly SecretStatus[], namePrefix: string | undefined): void {
  for (const secret of flagged) {
    for (const finding of secret.findings) log.warn('status finding', { secretArn: secret.arn, finding: finding.kind, detail: finding.detail, strategy: secret.strategy });
  }
  const { counts, complete } = result;
  log.info(
    'status',
    { rotationFunctionArn: result.rotationFunctionArn, namePrefix: namePrefix ?? null, counts, complete, stoppedBy: result.stoppedBy, pagesRead: result.pagesRead },
    // A partial listing with a name prefix is not the fleet: its counts would reset alarms. Only the full check counts.
    namePrefix === undefined ? statusMetrics({ managed: counts.managed, stuck: counts.stuck, overdue: counts.overdue, rotationDisabled: counts.rotationDisabled, complete }) : undefined,
  );
}
