import { randomUUID } from 'node:crypto';
import { runAction } from '../actions/action-runner';
import type { AuditRecord } from '../audit/audit-record';
import { emitAudit } from '../audit/audit-record';
import { ENV } from '../config/environment';
import { runTest } from '../checks/run-test';
import { discover } from '../discovery/discovery';
import { InvalidInputError } from '../errors';
import { describeError } from '../rotation/run-step';
import { firstIssue } from '../validation';
import type { InvocationContext } from './caller';
import { callerOf, CallerSchema } from './caller';
import type { Response } from './envelope';
import type { ErrorInfo } from './error-info';
import { errorInfo } from './error-info';
import { withSession } from '../postgres/connect';
import type { OrchestratorDeps } from './orchestrator-deps';
import type { OrchestratorRequest } from './orchestrator-request';
import { OrchestratorRequestSchema, REQUEST_KINDS } from './orchestrator-request';
import { resolveConnection } from './request-target';
import { runRotateRequest } from './rotate-request';

type Answer = { result: unknown; rollback?: unknown; audit: Partial<AuditRecord> };

/**
 * Answers one orchestrator request: validate, run, wrap in the envelope, write one audit record. Every failure,
 * a validation error included, is an envelope with `ok: false` and a code, never a thrown error.
 */
export async function handleOrchestratorRequest(event: Record<string, unknown>, deps: OrchestratorDeps, context?: InvocationContext): Promise<Response> {
  const started = performance.now();
  const requestId = context?.awsRequestId ?? randomUUID();
  const parsed = OrchestratorRequestSchema.safeParse(event);
  const kind = REQUEST_KINDS.find((k) => k === event.kind) ?? null;
  const requestCaller = CallerSchema.safeParse(event.caller);
  const caller = callerOf(requestCaller.success ? requestCaller.data : undefined, context);
  const profile = deps.settings.env[ENV.profile];
  const finish = (outcome: AuditRecord['outcome'], answer: Answer | undefined, error: ErrorInfo | null): Response => {
    const durationMs = Math.round(performance.now() - started);
    emitAudit(deps.log, {
      schema: 'pg-rotator.audit/1',
      requestId,
      ...(profile === undefined ? {} : { profile }),
      caller,
      kind,
      ...answer?.audit,
      outcome,
      ...(error ? { errorCode: error.code } : {}),
      ...(error?.rule === undefined ? {} : { rule: error.rule }),
      ...(kind === 'action' ? { rollback: answer?.rollback ?? null } : {}),
      durationMs,
    });
    const base = { ok: error === null, requestId, durationMs, error, result: answer?.result ?? null };
    return (kind === 'action' ? { kind, ...base, rollback: answer?.rollback ?? null } : { kind, ...base }) as Response;
  };

  if (!parsed.success) {
    return finish('rejected', { result: null, audit: auditOf(event) }, errorInfo(firstIssue(parsed.error, 'request')));
  }
  const request = parsed.data;
  try {
    return finish('ok', await answer(request, deps), null);
  } catch (error) {
    deps.log.error(`${request.kind} request failed`, { requestId, error: describeError(error) });
    return finish('error', { result: null, audit: auditOf(request) }, errorInfo(error));
  }
}

async function answer(request: OrchestratorRequest, deps: OrchestratorDeps): Promise<Answer> {
  switch (request.kind) {
    case 'action': {
      const { result, rollback } = await runAction(request, deps);
      return { result, rollback, audit: { ...auditOf(request), database: result.database, changed: result.changed, sql: result.sql } };
    }
    case 'test': {
      const result = await runTest(request, deps);
      return { result, audit: { ...auditOf(request), database: result.database } };
    }
    case 'rotate': {
      const result = await runRotateRequest(request, deps);
      return { result, audit: { ...auditOf(request), secretId: result.secretId, changed: true } };
    }
    case 'discover': {
      const { target } = request;
      const connection = await resolveConnection(
        { secretId: target.adminSecretArn, connectionSecretId: target.connectionSecretArn, database: target.database, asAdmin: true },
        deps,
        { secret: 'request.target.adminSecretArn', connectionSecret: 'request.target.connectionSecretArn' },
      );
      const result = await withSession(connection.target, connection.credentials, 'discovering', (session) => discover(session, request));
      return { result, audit: { ...auditOf(request), database: result.database } };
    }
    case 'status':
      throw new InvalidInputError('request.kind', 'status requests are answered by the status function, whose role lists secrets; send it there');
  }
}

/** The audit fields a request names, read defensively: a rejected request is any JSON object. */
function auditOf(request: Record<string, unknown> | OrchestratorRequest): Partial<AuditRecord> {
  const r = request as Record<string, unknown>;
  const params = (typeof r.params === 'object' && r.params !== null ? r.params : {}) as Record<string, unknown>;
  const target = (typeof r.target === 'object' && r.target !== null ? r.target : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 256) : undefined);
  const fields: Partial<AuditRecord> = {
    action: text(r.action),
    role: text(params.role),
    database: text(target.database ?? r.database),
    secretId: text(target.adminSecretArn ?? r.secretArn ?? r.secretId),
    dryRun: typeof r.dryRun === 'boolean' ? r.dryRun : undefined,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
