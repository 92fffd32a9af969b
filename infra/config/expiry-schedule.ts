/**
 * The schedule of expire-temporary-users, an EventBridge Scheduler expression ("Schedule types on EventBridge
 * Scheduler"): `rate(N minutes|hours|days)` (the unit singular for 1, as EventBridge writes it) or
 * `cron(minutes hours day-of-month month day-of-week year)` with one of day-of-month and day-of-week `?`. One-time
 * `at(…)` schedules are refused: expiry must recur. Pure, so the config schema and the construct share one check.
 */

/** Hourly: a temporary user outlives its VALID UNTIL by an hour at most, and a quiet deployment makes 24 calls a day. */
export const DEFAULT_EXPIRY_SCHEDULE = 'rate(1 hour)';

/**
 * Why a policy that creates temporary users must also expire them: VALID UNTIL only stops new logins, so expired
 * users, their sessions and their grants would pile up in the catalog (as Vault's never-revoked dynamic roles do).
 * `expireTemporaryUsers: false` is the deployer saying something else expires them.
 */
export const UNEXPIRED_TEMPORARY_USERS =
  'enables create-temporary-user but not expire-temporary-users, so expired users, their sessions and grants would pile up; add expire-temporary-users (the construct then schedules it hourly), or set expireTemporaryUsers to false where something else expires them';

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;

/**
 * Why an expression is not a recurring EventBridge Scheduler schedule, or undefined when it is.
 *
 * @example
 * expiryScheduleProblem('rate(1 hour)');  // undefined
 * expiryScheduleProblem('rate(1 hours)'); // 'rate(1 …) takes a singular unit: rate(1 hour)'
 */
export function expiryScheduleProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const amount = Number(rate[1]);
    const unit = rate[2] as string;
    if (amount < 1) return 'rate must be at least 1';
    const plural = unit.endsWith('s');
    if (amount === 1 && plural) return `rate(1 …) takes a singular unit: rate(1 ${unit.slice(0, -1)})`;
    if (amount > 1 && !plural) return `rate(${amount} …) takes a plural unit: rate(${amount} ${unit}s)`;
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = (cron[1] as string).trim().split(/\s+/);
    if (fields.length !== 6) return 'cron takes six fields: minutes hours day-of-month month day-of-week year';
    if ((fields[2] === '?') === (fields[4] === '?')) return 'cron takes ? in exactly one of day-of-month and day-of-week';
    return undefined;
  }
  return 'must be rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year), recurring';
}
