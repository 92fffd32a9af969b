import type { SecretStatus, StatusResult } from '../lambda/status/status-request';

/**
 * The status check as a table for people: one row per secret (findings first, as the function sorts them), then a
 * summary line. Dates are UTC to the minute, ages are rounded; `--json` gives the exact values.
 *
 * @example
 * process.stdout.write(statusTable(response.result));
 */
export function statusTable(result: StatusResult): string {
  const now = Date.parse(result.checkedAt);
  const header = ['SECRET', 'STRATEGY', 'LAST ROTATED', 'NEXT ROTATION', 'STAGES', 'PENDING', 'LAST FAILURE', 'FINDINGS'];
  const rows = result.secrets.map((secret) => row(secret, now));
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  const { counts } = result;
  const summary =
    `${counts.managed} managed: ${counts.healthy} healthy, ${counts.stuck} stuck, ${counts.overdue} overdue, ${counts.rotationDisabled} rotation disabled ` +
    `(${result.pagesRead} page${result.pagesRead === 1 ? '' : 's'} read; ${result.complete ? 'complete' : `INCOMPLETE: stopped by the ${result.stoppedBy}`})`;
  const omitted = result.omitted > 0 ? [`${result.omitted} more not shown (the answer's size limit); use --findings-only or --name-prefix`] : [];
  const table = rows.length > 0 ? [line(header), ...rows.map(line), ''] : [];
  return `${[...table, summary, ...omitted].join('\n')}\n`;
}

function row(secret: SecretStatus, now: number): string[] {
  return [
    secret.name,
    secret.strategy,
    secret.lastRotated === null ? 'never' : `${minute(secret.lastRotated)} (${ago(now - Date.parse(secret.lastRotated))})`,
    secret.rotationEnabled ? (secret.nextRotation === null ? '-' : minute(secret.nextRotation)) : 'off',
    secret.stages.map((labels) => labels.map((label) => label.replace(/^AWS/, '')).join('+')).join(' | '),
    secret.pending === null ? '-' : secret.pending.ageSeconds === null ? 'age unknown' : duration(secret.pending.ageSeconds * 1000),
    secret.lastFailure === null ? '-' : `${minute(secret.lastFailure.since)}, unfinished`,
    secret.findings.length === 0 ? '-' : secret.findings.map((finding) => finding.kind).join(', '),
  ];
}

/** `2026-03-01 00:30Z`. */
function minute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

function ago(ms: number): string {
  return ms < 0 ? 'in the future' : `${duration(ms)} ago`;
}

/** `3d`, `5h`, `12m`: the largest unit, rounded down. */
function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes >= 2 * 24 * 60) return `${Math.floor(minutes / (24 * 60))}d`;
  if (minutes >= 120) return `${Math.floor(minutes / 60)}h`;
  return `${minutes}m`;
}
