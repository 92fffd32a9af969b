import { describe, expect, it } from 'vitest';
import { expiryScheduleProblem } from '../../infra/config/expiry-schedule';

describe('expire-temporary-users schedules', () => {
  it.each(['rate(1 hour)', 'rate(15 minutes)', 'rate(2 days)', 'cron(0 * * * ? *)', 'cron(30 2 ? * MON-FRI *)'])('accepts %s', (expression) => {
    expect(expiryScheduleProblem(expression)).toBeUndefined();
  });

  it.each([
    ['rate(1 hours)', 'rate(1 …) takes a singular unit: rate(1 hour)'],
    ['rate(5 minute)', 'rate(5 …) takes a plural unit: rate(5 minutes)'],
    ['rate(0 minutes)', 'rate must be at least 1'],
    ['cron(0 * * * *)', 'cron takes six fields: minutes hours day-of-month month day-of-week year'],
    ['cron(0 * * * * *)', 'cron takes ? in exactly one of day-of-month and day-of-week'],
    ['at(2030-01-01T00:00:00)', 'must be rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year), recurring'],
  ])('refuses %s: %s', (expression, problem) => {
    expect(expiryScheduleProblem(expression)).toBe(problem);
  });
});
