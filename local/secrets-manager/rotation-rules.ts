import type { CronSchedule } from './cron';
import { nextCronTime, parseCron } from './cron';
import { invalidParameter } from './errors';

/**
 * RotationRules of RotateSecret, checked as the API reference (RotationRulesType) and the scheduling guide describe:
 * - `AutomaticallyAfterDays` 1-1000 **or** `ScheduleExpression`, "but not both";
 * - `ScheduleExpression` is `rate(N hours|days)` (EventBridge spelling: singular unit for 1) no more often than every
 *   four hours and no rarer than 1000 days, or `cron(...)` (see `cron.ts`);
 * - `Duration` is `<N>h`, 1-24 hours, and "must not extend into the next rotation window or the next UTC day".
 */

/** RotationRules as they arrive on the wire. */
export interface RotationRulesInput {
  readonly AutomaticallyAfterDays?: number | undefined;
  readonly ScheduleExpression?: string | undefined;
  readonly Duration?: string | undefined;
}

/** How often rotation comes round. */
export type RotationSchedule =
  | { readonly kind: 'days'; readonly days: number }
  | { readonly kind: 'hours'; readonly hours: number }
  | { readonly kind: 'cron'; readonly cron: CronSchedule };

/** Validated rules: what the caller gave, plus the schedule they mean. */
export interface RotationRules {
  readonly automaticallyAfterDays?: number;
  readonly scheduleExpression?: string;
  readonly duration?: string;
  readonly schedule?: RotationSchedule;
}

const MAX_DAYS = 1000;
const MIN_HOURS = 4;

function parseRate(expression: string): RotationSchedule {
  const match = /^rate\((\d+) (hour|hours|day|days)\)$/.exec(expression);
  if (!match) throw invalidParameter(`Invalid ScheduleExpression ${expression}: expected rate(N hours|days) or cron(...).`);
  const value = Number(match[1]);
  const unit = match[2] ?? '';
  // EventBridge's rate syntax: "If the value is equal to 1, then the unit must be singular".
  if ((value === 1) !== !unit.endsWith('s')) {
    throw invalidParameter(`Invalid ScheduleExpression ${expression}: use a singular unit for 1 and plural otherwise.`);
  }
  if (unit.startsWith('hour')) {
    if (value < MIN_HOURS || value > MAX_DAYS * 24) {
      throw invalidParameter(`Invalid ScheduleExpression ${expression}: rotation can't be more frequent than every 4 hours.`);
    }
    return { kind: 'hours', hours: value };
  }
  if (value < 1 || value > MAX_DAYS) {
    throw invalidParameter(`Invalid ScheduleExpression ${expression}: the rate must be 1-1000 days.`);
  }
  return { kind: 'days', days: value };
}

function parseSchedule(expression: string): RotationSchedule {
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return parseRate(expression);
  const schedule = parseCron(expression, cron[1] ?? '');
  const hours = [...schedule.hours].sort((a, b) => a - b);
  for (let i = 1; i < hours.length; i++) {
    if ((hours[i] ?? 0) - (hours[i - 1] ?? 0) < MIN_HOURS) {
      throw invalidParameter(`Invalid ScheduleExpression ${expression}: rotation can't be more frequent than every 4 hours.`);
    }
  }
  return { kind: 'cron', cron: schedule };
}

function checkDuration(duration: string, schedule: RotationSchedule | undefined): void {
  const match = /^(\d{1,2})h$/.exec(duration);
  const hours = Number(match?.[1]);
  if (!match || hours < 1 || hours > 24) {
    throw invalidParameter(`Invalid Duration ${duration}: expected a whole number of hours from 1h to 24h, such as 3h.`);
  }
  if (schedule?.kind === 'hours' && hours > schedule.hours) {
    throw invalidParameter(`The rotation window (Duration ${duration}) can't extend into the next rotation window.`);
  }
  if (schedule?.kind === 'cron' && [...schedule.cron.hours].some((start) => start + hours > 24)) {
    throw invalidParameter(`The rotation window (Duration ${duration}) can't extend into the next UTC day.`);
  }
}

/**
 * Validates RotationRules.
 *
 * @throws AwsApiError InvalidParameterException naming the field and the rule.
 * @example
 * parseRotationRules({ ScheduleExpression: 'rate(10 days)', Duration: '3h' }).schedule; // { kind: 'days', days: 10 }
 */
export function parseRotationRules(input: RotationRulesInput): RotationRules {
  const { AutomaticallyAfterDays: days, ScheduleExpression: expression, Duration: duration } = input;
  if (days !== undefined && expression !== undefined) {
    throw invalidParameter('You can specify AutomaticallyAfterDays or ScheduleExpression in RotationRules, but not both.');
  }
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)) {
    throw invalidParameter('RotationRules.AutomaticallyAfterDays must be within 1-1000.');
  }
  const schedule: RotationSchedule | undefined =
    days !== undefined ? { kind: 'days', days } : expression !== undefined ? parseSchedule(expression) : undefined;
  if (duration !== undefined) checkDuration(duration, schedule);
  return {
    ...(days !== undefined ? { automaticallyAfterDays: days } : {}),
    ...(expression !== undefined ? { scheduleExpression: expression } : {}),
    ...(duration !== undefined ? { duration } : {}),
    ...(schedule ? { schedule } : {}),
  };
}

/**
 * When the next rotation is due. For intervals it is the last rotation plus the interval ("Secrets Manager calculates
 * the next rotation date based on the previous rotation"); for cron, the next window start after it.
 */
export function nextRotationDate(rules: RotationRules | undefined, lastRotation: Date): Date | undefined {
  const schedule = rules?.schedule;
  if (!schedule) return undefined;
  switch (schedule.kind) {
    case 'days':
      return new Date(lastRotation.getTime() + schedule.days * 86_400_000);
    case 'hours':
      return new Date(lastRotation.getTime() + schedule.hours * 3_600_000);
    case 'cron':
      return nextCronTime(schedule.cron, lastRotation);
  }
}

/**
 * RotationRules as DescribeSecret shows them. AWS reports AutomaticallyAfterDays for day-based schedules too ("In
 * DescribeSecret and ListSecrets, this value is calculated from the rotation schedule").
 */
export function rotationRulesToWire(rules: RotationRules): Record<string, number | string> {
  const wire: Record<string, number | string> = {};
  const days = rules.automaticallyAfterDays ?? (rules.schedule?.kind === 'days' ? rules.schedule.days : undefined);
  if (days !== undefined) wire.AutomaticallyAfterDays = days;
  if (rules.scheduleExpression !== undefined) wire.ScheduleExpression = rules.scheduleExpression;
  if (rules.duration !== undefined) wire.Duration = rules.duration;
  return wire;
}
