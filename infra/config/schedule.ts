/**
 * Rotation schedule rules, as Secrets Manager documents them for `RotationRules`
 * (API_RotationRulesType; "Schedule expressions in Secrets Manager rotation"):
 *
 * - `rate(N hours)` or `rate(N days)`: at least 4 hours apart, at most 1000 days (the AutomaticallyAfterDays limit).
 * - `cron(0 H DOM MON DOW *)`: minutes must be `0` and year `*`, one of DOM and DOW is `?`, and the hours it
 *   starts at must be at least 4 hours apart.
 * - `Duration` (the window) from `1h` to `24h`; "the window must not extend into the next rotation window or the
 *   next UTC day".
 *
 * These are pure functions so the config schema and the construct share one check and it is unit-tested without
 * synthesizing anything. Each returns a problem sentence (no field name: the caller knows the field) or a value.
 */

/** Shortest interval Secrets Manager accepts between rotations. */
export const MIN_ROTATION_INTERVAL_HOURS = 4;
/** Longest interval: the AutomaticallyAfterDays maximum, applied to rate() too. */
export const MAX_ROTATION_INTERVAL_HOURS = 1000 * 24;

/** A schedule expression, reduced to what the window checks need. */
export type ParsedSchedule =
  | { readonly kind: 'rate'; readonly everyHours: number }
  /** `startHours`: the UTC hours (sorted, unique) at which the cron opens a window. */
  | { readonly kind: 'cron'; readonly startHours: readonly number[] };

/** Either a value or the reason there is none. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(problem: string): Checked<T> => ({ ok: false, problem });

const RATE = /^rate\((\d+) (hours?|days?)\)$/;
const CRON = /^cron\((.+)\)$/;
const WINDOW = /^(\d+)h$/;

/**
 * Parses a `ScheduleExpression` and checks Secrets Manager's limits.
 *
 * @example
 * parseScheduleExpression('cron(0 3 ? * SUN *)'); // { ok: true, value: { kind: 'cron', startHours: [3] } }
 * parseScheduleExpression('rate(1 hour)');        // { ok: false, problem: 'rate must be at least 4 hours, …' }
 */
export function parseScheduleExpression(expression: string): Checked<ParsedSchedule> {
  const rate = RATE.exec(expression);
  if (rate) return parseRate(Number(rate[1]), rate[2] ?? '');
  const cron = CRON.exec(expression);
  if (cron) return parseCron(cron[1] ?? '');
  return fail('must be rate(N hours|days) or cron(0 H DOM MON DOW *)');
}

function parseRate(amount: number, unit: string): Checked<ParsedSchedule> {
  const everyHours = unit.startsWith('day') ? amount * 24 : amount;
  if (everyHours < MIN_ROTATION_INTERVAL_HOURS) {
    return fail(`rate must be at least ${MIN_ROTATION_INTERVAL_HOURS} hours, the shortest interval Secrets Manager allows`);
  }
  if (everyHours > MAX_ROTATION_INTERVAL_HOURS) return fail('rate must be at most 1000 days');
  return ok({ kind: 'rate', everyHours });
}

function parseCron(body: string): Checked<ParsedSchedule> {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) return fail('cron must have 6 fields: minutes hours day-of-month month day-of-week year');
  const [minutes, hours, dayOfMonth, , dayOfWeek, year] = fields;
  if (minutes !== '0') return fail('cron minutes must be 0 (Secrets Manager rotates within hour-aligned windows)');
  if (year !== '*') return fail('cron year must be *');
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) return fail('cron must set exactly one of day-of-month and day-of-week to ?');
  const startHours = parseCronHours(hours ?? '');
  if (!startHours.ok) return startHours;
  const gap = smallestGap(startHours.value);
  if (gap !== undefined && gap < MIN_ROTATION_INTERVAL_HOURS) {
    return fail(`cron hours must be at least ${MIN_ROTATION_INTERVAL_HOURS} hours apart (found ${gap})`);
  }
  return ok({ kind: 'cron', startHours: startHours.value });
}

/** Expands the hours field (`*`, `n`, `a-b`, `x/step`, lists) into the sorted set of hours it names. */
function parseCronHours(field: string): Checked<readonly number[]> {
  const hours = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\d{1,2})(?:-(\d{1,2}))?(?:\/(\d{1,2}))?$/.exec(part);
    if (!match) return fail(`cron hours "${field}" is not understood; use numbers, ranges (a-b), steps (/n) or lists`);
    const [, start = '', end, step] = match;
    const from = start === '*' ? 0 : Number(start);
    const to = start === '*' ? 23 : end !== undefined ? Number(end) : step !== undefined ? 23 : from;
    const by = step !== undefined ? Number(step) : 1;
    if (from > 23 || to > 23 || from > to || by < 1) return fail(`cron hours "${field}" is out of range 0-23`);
    for (let hour = from; hour <= to; hour += by) hours.add(hour);
  }
  return ok([...hours].sort((a, b) => a - b));
}

/** Smallest distance between consecutive start hours, wrapping midnight; undefined for a single hour. */
function smallestGap(hours: readonly number[]): number | undefined {
  if (hours.length < 2) return undefined;
  const gaps = hours.map((hour, index) => (hours[index + 1] ?? (hours[0] ?? 0) + 24) - hour);
  return Math.min(...gaps);
}

/**
 * Parses a rotation window (`RotationRules.Duration`), `1h` to `24h`.
 *
 * @example
 * parseWindowHours('3h'); // { ok: true, value: 3 }
 */
export function parseWindowHours(window: string): Checked<number> {
  const match = WINDOW.exec(window);
  const hours = match ? Number(match[1]) : Number.NaN;
  if (!(hours >= 1 && hours <= 24)) return fail('window must be whole hours from 1h to 24h, e.g. "3h"');
  return ok(hours);
}

/**
 * Checks that a window fits its schedule: it may not run into the next window or past midnight UTC.
 * Returns the problem, or undefined when it fits.
 */
export function windowProblem(schedule: ParsedSchedule, windowHours: number): string | undefined {
  if (schedule.kind === 'rate') {
    return windowHours > schedule.everyHours
      ? `window ${windowHours}h is longer than the ${schedule.everyHours}h between rotations`
      : undefined;
  }
  const latestStart = Math.max(...schedule.startHours);
  if (latestStart + windowHours > 24) {
    return `window ${windowHours}h starting at ${latestStart}:00 UTC runs into the next UTC day`;
  }
  const gap = smallestGap(schedule.startHours);
  if (gap !== undefined && windowHours > gap) {
    return `window ${windowHours}h is longer than the ${gap}h between rotation windows`;
  }
  return undefined;
}

/**
 * The whole check for one schedule and optional window, as one problem sentence or undefined.
 * `field` names are left to the caller, which knows where the values came from.
 */
export function scheduleProblem(expression: string, window: string | undefined): { field: 'schedule' | 'window'; problem: string } | undefined {
  const schedule = parseScheduleExpression(expression);
  if (!schedule.ok) return { field: 'schedule', problem: schedule.problem };
  if (window === undefined) return undefined;
  const hours = parseWindowHours(window);
  if (!hours.ok) return { field: 'window', problem: hours.problem };
  const problem = windowProblem(schedule.value, hours.value);
  return problem === undefined ? undefined : { field: 'window', problem };
}
