import type { AwsApiError } from './errors';
import { invalidParameter } from './errors';

/**
 * The `cron(...)` form of a Secrets Manager ScheduleExpression: six fields, `Minutes Hours Day-of-month Month
 * Day-of-week Year`, in UTC, with EventBridge's syntax (`*`, `?`, lists, ranges, `/` steps, JAN-DEC, SUN-SAT with
 * 1 = Sunday, `L` as day of month, `d#n` as day of week). Secrets Manager rotates at any time within a window that
 * starts at the hour, so the minutes field must be 0, and the year must be `*` (aws-rotation.md §2.3). `W` is
 * accepted by EventBridge but not by this local endpoint, which says so.
 */

/** A parsed cron schedule: the sets of values each field allows. */
export interface CronSchedule {
  readonly hours: ReadonlySet<number>;
  /** Days of month 1-31; `lastDayOfMonth` stands for `L`. */
  readonly daysOfMonth: ReadonlySet<number> | 'any';
  readonly lastDayOfMonth: boolean;
  readonly months: ReadonlySet<number>;
  /** Days of week 1-7 (1 = Sunday), or `nth` for `d#n`. */
  readonly daysOfWeek: ReadonlySet<number> | 'any';
  readonly nthDayOfWeek?: { readonly day: number; readonly nth: number };
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function bad(expression: string, why: string): AwsApiError {
  return invalidParameter(`Invalid cron expression ${expression}: ${why}.`);
}

function parseValue(token: string, names: readonly string[], offset: number): number {
  const index = names.indexOf(token.toUpperCase());
  return index >= 0 ? index + offset : /^\d+$/.test(token) ? Number(token) : Number.NaN;
}

/** One field (`*`, `a`, `a-b`, `a/n`, `a-b/n`, `*\/n`, comma lists) -> the set of values it allows. */
function parseField(
  field: string,
  min: number,
  max: number,
  names: readonly string[],
  offset: number,
  expression: string,
): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw bad(expression, `step in '${part}' must be a positive integer`);
    let from = min;
    let to = max;
    if (range !== '*') {
      const [a = '', b] = range.split('-');
      from = parseValue(a, names, offset);
      to = b === undefined ? (stepText === undefined ? from : max) : parseValue(b, names, offset);
    }
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < min || to > max || from > to) {
      throw bad(expression, `'${part}' is outside ${min}-${max}`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * Parses the inside of `cron(...)`.
 *
 * @throws AwsApiError InvalidParameterException naming the offending field.
 * @example
 * parseCron('cron(0 4 ? * SUN *)', '0 4 ? * SUN *').hours; // Set { 4 }
 */
export function parseCron(expression: string, body: string): CronSchedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) throw bad(expression, 'it needs six fields');
  const [minutes = '', hours = '', dom = '', month = '', dow = '', year = ''] = fields;
  if (minutes !== '0') throw bad(expression, 'Secrets Manager rotation windows start on the hour, so minutes must be 0');
  if (year !== '*') throw bad(expression, 'the year must be *');
  if ((dom === '?') === (dow === '?')) throw bad(expression, 'exactly one of day-of-month and day-of-week must be ?');
  if (/W/i.test(dom)) throw bad(expression, "'W' is not supported by this local endpoint");

  let nthDayOfWeek: CronSchedule['nthDayOfWeek'];
  let daysOfWeek: CronSchedule['daysOfWeek'] = 'any';
  if (dow !== '?' && dow !== '*') {
    const nth = /^([A-Za-z]{3}|\d)#([1-5])$/.exec(dow);
    if (nth) {
      const day = parseValue(nth[1] ?? '', DAYS, 1);
      if (!(day >= 1 && day <= 7)) throw bad(expression, `'${dow}' is not a day of week`);
      nthDayOfWeek = { day, nth: Number(nth[2]) };
    } else {
      daysOfWeek = parseField(dow, 1, 7, DAYS, 1, expression);
    }
  }
  const lastDayOfMonth = dom.toUpperCase() === 'L';
  const daysOfMonth = dom === '?' || dom === '*' || lastDayOfMonth ? 'any' : parseField(dom, 1, 31, [], 0, expression);

  return {
    hours: parseField(hours, 0, 23, [], 0, expression),
    daysOfMonth,
    lastDayOfMonth,
    months: parseField(month, 1, 12, MONTHS, 1, expression),
    daysOfWeek,
    ...(nthDayOfWeek ? { nthDayOfWeek } : {}),
  };
}

function dayMatches(schedule: CronSchedule, date: Date): boolean {
  const dom = date.getUTCDate();
  const dow = date.getUTCDay() + 1;
  if (!schedule.months.has(date.getUTCMonth() + 1)) return false;
  if (schedule.lastDayOfMonth) {
    const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    if (dom !== last) return false;
  }
  if (schedule.daysOfMonth !== 'any' && !schedule.daysOfMonth.has(dom)) return false;
  if (schedule.nthDayOfWeek) {
    const { day, nth } = schedule.nthDayOfWeek;
    if (dow !== day || Math.ceil(dom / 7) !== nth) return false;
  }
  return schedule.daysOfWeek === 'any' || schedule.daysOfWeek.has(dow);
}

/**
 * The first window start strictly after `after`, searching five years ahead; undefined if the schedule never fires
 * in that span (e.g. `cron(0 0 31 FEB ? *)`).
 */
export function nextCronTime(schedule: CronSchedule, after: Date): Date | undefined {
  const start = new Date(after.getTime());
  start.setUTCMinutes(0, 0, 0);
  const limit = 5 * 366 * 24;
  for (let h = 1; h <= limit; h++) {
    const candidate = new Date(start.getTime() + h * 3_600_000);
    if (schedule.hours.has(candidate.getUTCHours()) && dayMatches(schedule, candidate)) return candidate;
  }
  return undefined;
}
