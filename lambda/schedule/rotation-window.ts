/**
 * A secret's rotation schedule as Secrets Manager reports it (RotationRules in DescribeSecret and ListSecrets), reduced
 * to what the status check needs: how long a rotation window lasts, and by when the next rotation is due. Pure.
 *
 * What Secrets Manager documents (API_RotationRulesType; "Rotation schedules" in the user guide):
 * - `AutomaticallyAfterDays` (1-1000) or `ScheduleExpression`: `rate(N hours|days)` or `cron(0 H DOM MON DOW *)`, UTC;
 *   AutomaticallyAfterDays is also reported for day-based expressions ("calculated from the rotation schedule");
 * - `Duration` (`1h`-`24h`): the window. Without it, "for a ScheduleExpression in hours, the window automatically
 *   closes after one hour. For a ScheduleExpression in days, the window automatically closes at the end of the UTC
 *   day." A window starts at midnight UTC unless a cron sets the hour.
 * - "Secrets Manager rotates your secret at any time during the rotation window", and counts a manual change of the
 *   value as a rotation when it computes the next date; NextRotationDate "may be in the past" when rotation failed.
 * infra/config/schedule.ts checks the same rules at synth time (it may import this file; lambda/ never imports infra/).
 */

/** RotationRules as the SDK returns them. */
export interface RotationRulesInput {
  readonly AutomaticallyAfterDays?: number | undefined;
  readonly ScheduleExpression?: string | undefined;
  readonly Duration?: string | undefined;
}

/** A schedule, as far as windows and due dates go. */
export type RotationCadence =
  | { readonly kind: 'days'; readonly days: number }
  | { readonly kind: 'hours'; readonly hours: number }
  /** `startHours`: the UTC hours at which the cron opens a window, sorted. */
  | { readonly kind: 'cron'; readonly startHours: readonly number[] };

/** What the status check reads from a secret's rules. */
export interface RotationWindow {
  /** Undefined when the rules name no schedule (a one-off RotateSecret) or one this function does not understand. */
  readonly cadence: RotationCadence | undefined;
  /** The schedule as written, for people: `rate(30 days)`, `cron(…)`, `every 30 days`. */
  readonly schedule: string | undefined;
  /** How long a window lasts, in hours: Duration, or AWS's default for the cadence. */
  readonly windowHours: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * @example
 * rotationWindow({ AutomaticallyAfterDays: 30 });                          // days 30, window 24h
 * rotationWindow({ ScheduleExpression: 'rate(6 hours)' });                 // hours 6, window 1h
 * rotationWindow({ ScheduleExpression: 'cron(0 3 ? * SUN *)', Duration: '2h' }); // cron [3], window 2h
 */
export function rotationWindow(rules: RotationRulesInput | undefined): RotationWindow {
  const expression = rules?.ScheduleExpression;
  const cadence = expression !== undefined ? cadenceOf(expression) : rules?.AutomaticallyAfterDays !== undefined ? { kind: 'days' as const, days: rules.AutomaticallyAfterDays } : undefined;
  const duration = /^(\d{1,2})h$/.exec(rules?.Duration ?? '');
  const windowHours = duration ? Math.min(24, Math.max(1, Number(duration[1]))) : defaultWindowHours(cadence);
  const schedule = expression ?? (rules?.AutomaticallyAfterDays !== undefined ? `every ${rules.AutomaticallyAfterDays} days` : undefined);
  return { cadence, schedule, windowHours };
}

function cadenceOf(expression: string): RotationCadence | undefined {
  const rate = /^rate\((\d+) (hours?|days?)\)$/.exec(expression);
  if (rate) return rate[2]?.startsWith('day') ? { kind: 'days', days: Number(rate[1]) } : { kind: 'hours', hours: Number(rate[1]) };
  const cron = /^cron\(\s*0\s+(\S+)\s/.exec(expression);
  const startHours = cron ? cronHours(cron[1] ?? '') : undefined;
  return startHours === undefined || startHours.length === 0 ? undefined : { kind: 'cron', startHours };
}

/** The hours field of a cron (`*`, `n`, `a-b`, `a/n`, `a-b/n`, lists), or undefined if it is not understood. */
function cronHours(field: string): number[] | undefined {
  const hours = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\d{1,2})(?:-(\d{1,2}))?(?:\/(\d{1,2}))?$/.exec(part);
    if (!match) return undefined;
    const [, start = '', end, step] = match;
    const from = start === '*' ? 0 : Number(start);
    const to = start === '*' ? 23 : end !== undefined ? Number(end) : step !== undefined ? 23 : from;
    const by = step === undefined ? 1 : Number(step);
    if (from > to || to > 23 || by < 1) return undefined;
    for (let hour = from; hour <= to; hour += by) hours.add(hour);
  }
  return [...hours].sort((a, b) => a - b);
}

/** AWS's default window: one hour for schedules in hours; to the end of the UTC day for schedules in days. */
function defaultWindowHours(cadence: RotationCadence | undefined): number {
  if (cadence?.kind === 'hours') return 1;
  if (cadence?.kind === 'cron') return cadence.startHours.length > 1 ? 1 : 24 - (cadence.startHours[0] ?? 0);
  return 24;
}

/**
 * By when the next rotation should have happened: the close of the window in which it was due. Two sources, and
 * the later one wins, so a manual change Secrets Manager counted as a rotation is no false alarm:
 * - from the last rotation (LastRotatedDate, or CreatedDate for a secret never rotated) and the cadence: N days later
 *   (that UTC day's window, opening at midnight), or N hours later; a cron's next window needs the whole calendar,
 *   so for a cron this source is not used;
 * - from Secrets Manager's NextRotationDate, which stays in the past when the rotation failed.
 * Undefined when neither is known (no schedule).
 *
 * @example
 * dueBy(rotationWindow({ AutomaticallyAfterDays: 30 }), new Date('2026-01-01T10:00:00Z'), undefined);
 * // 2026-02-01T00:00:00Z: the window of 31 January closes at midnight
 */
export function dueBy(window: RotationWindow, lastRotation: Date, nextRotation: Date | undefined): Date | undefined {
  const windowMs = window.windowHours * HOUR_MS;
  const candidates: number[] = [];
  const cadence = window.cadence;
  if (cadence?.kind === 'days') {
    const dueDay = startOfUtcDay(lastRotation.getTime() + cadence.days * DAY_MS);
    candidates.push(dueDay + windowMs);
  } else if (cadence?.kind === 'hours') {
    candidates.push(lastRotation.getTime() + cadence.hours * HOUR_MS + windowMs);
  }
  if (nextRotation !== undefined) candidates.push(windowCloses(window, nextRotation.getTime()));
  return candidates.length === 0 ? undefined : new Date(Math.max(...candidates));
}

/** When the window opening at (or holding) `opens` closes. */
function windowCloses(window: RotationWindow, opens: number): number {
  // A day-based window opens at midnight UTC whatever time of day NextRotationDate carries.
  const start = window.cadence?.kind === 'days' ? startOfUtcDay(opens) : opens;
  return start + window.windowHours * HOUR_MS;
}

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
