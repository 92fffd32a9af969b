import type { ActionResponse, Response, TestResponse } from '../lambda/requests/envelope';
import { ResponseSchema } from '../lambda/requests/envelope';
import { dim, green, red } from './terminal';

/**
 * Readable digests of the CLI's JSON answers: what a person would look for in the response envelope
 * (docs/api.md). Pure, so what the demo claims is decided from the response alone.
 */

/** The CLI's stdout as a response envelope; null when it is not one (the CLI's own usage errors, a crash). */
export function asResponse(stdout: unknown): Response | null {
  const parsed = ResponseSchema.safeParse(stdout);
  return parsed.success ? parsed.data : null;
}

/** One statement on one line, cut to `max` characters. */
export function shortSql(sql: string, max = 100): string {
  const line = sql.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The first line after a command: ok or the error code, and the function's own duration. */
export function headline(response: Response): string {
  const took = dim(`(function ${response.durationMs} ms, request ${response.requestId.slice(0, 8)})`);
  if (!response.ok) return `${red('✗')} ${response.error?.code ?? 'ERROR'}: ${response.error?.message ?? ''} ${took}`;
  return `${green('ok')} ${took}`;
}

/** A test request's result: who logged in where and how, then the admin checklist with a fix for each gap. */
export function describeTest(response: TestResponse): string[] {
  const result = response.result;
  if (result === null) return [];
  const tls = result.tls ? `${result.tls.protocol} ${result.tls.cipher}` : 'no TLS';
  const auth = result.authentication.method ?? 'authentication method not reported before PostgreSQL 16';
  const lines = [
    `"${result.role}" on database "${result.database}", PostgreSQL ${result.serverVersion}; ${tls}; ${auth}; ` +
      `median round trip ${result.latencyMs.median} ms over ${result.latencyMs.samples}`,
  ];
  for (const item of result.checklist ?? []) {
    lines.push(`${item.ok ? green('✓') : red('✗')} ${item.id}: ${item.detail}`);
    if (!item.ok && item.fix) lines.push(`    fix: ${item.fix}`);
  }
  return lines;
}

/** The checklist's failing items' fixes, in order. */
export function checklistFixes(response: TestResponse): string[] {
  return (response.result?.checklist ?? []).flatMap((item) => (!item.ok && item.fix ? [item.fix] : []));
}

/** `passed/total` of the checklist. */
export function checklistScore(response: TestResponse): string {
  const items = response.result?.checklist ?? [];
  return `${items.filter((item) => item.ok).length}/${items.length}`;
}

/** An action's result: the SQL (to run, or run), what else happened, and the rollback the response carries. */
export function describeAction(response: ActionResponse): string[] {
  const result = response.result;
  if (result === null) return [];
  const lines: string[] = [];
  if (!result.changed) lines.push('nothing to change (changed: false)');
  const verb = result.dryRun ? 'would run' : 'ran';
  for (const sql of result.sql) lines.push(`${verb}: ${shortSql(sql)}`);
  if (result.terminatedSessions !== undefined) lines.push(`sessions ended: ${result.terminatedSessions}`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  if (response.rollback) {
    lines.push(`rollback: ${response.rollback.action} ${JSON.stringify(response.rollback.params)}${response.rollback.dryRun ? ' (dry run)' : ''}`);
  } else {
    lines.push('rollback: none');
  }
  return lines;
}
