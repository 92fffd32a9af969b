import { describe, expect, it } from 'vitest';
import { parseScheduleExpression, parseWindowHours, scheduleProblem, windowProblem } from '../../infra/config/schedule';

describe('parseScheduleExpression', () => {
  it.each([
    ['rate(4 hours)', { kind: 'rate', everyHours: 4 }],
    ['rate(1 day)', { kind: 'rate', everyHours: 24 }],
    ['rate(30 days)', { kind: 'rate', everyHours: 720 }],
    ['cron(0 3 ? * SUN *)', { kind: 'cron', startHours: [3] }],
    ['cron(0 0/6 * * ? *)', { kind: 'cron', startHours: [0, 6, 12, 18] }],
    ['cron(0 1,13 L * ? *)', { kind: 'cron', startHours: [1, 13] }],
    ['cron(0 8-16/8 ? * MON-FRI *)', { kind: 'cron', startHours: [8, 16] }],
  ])('accepts %s', (expression, parsed) => {
    expect(parseScheduleExpression(expression)).toEqual({ ok: true, value: parsed });
  });

  it.each([
    ['rate(3 hours)', 'at least 4 hours'],
    ['rate(1001 days)', 'at most 1000 days'],
    ['rate(2 weeks)', 'must be rate('],
    ['every sunday', 'must be rate('],
    ['cron(15 3 ? * SUN *)', 'minutes must be 0'],
    ['cron(0 3 ? * SUN 2027)', 'year must be *'],
    ['cron(0 3 * * SUN *)', 'exactly one of day-of-month and day-of-week'],
    ['cron(0 3 ? * *)', '6 fields'],
    ['cron(0 * * * ? *)', 'at least 4 hours apart (found 1)'],
    ['cron(0 1,22 * * ? *)', 'at least 4 hours apart (found 3)'],
    ['cron(0 25 * * ? *)', 'out of range'],
    ['cron(0 L * * ? *)', 'not understood'],
  ])('rejects %s', (expression, problem) => {
    const result = parseScheduleExpression(expression);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toContain(problem);
  });
});

describe('rotation windows', () => {
  it('parses whole hours from 1h to 24h only', () => {
    expect(parseWindowHours('1h')).toEqual({ ok: true, value: 1 });
    expect(parseWindowHours('24h')).toEqual({ ok: true, value: 24 });
    for (const bad of ['0h', '25h', '3', '90m', '1.5h']) expect(parseWindowHours(bad).ok).toBe(false);
  });

  it('rejects a window that runs past midnight UTC', () => {
    expect(windowProblem({ kind: 'cron', startHours: [22] }, 3)).toContain('next UTC day');
    expect(windowProblem({ kind: 'cron', startHours: [22] }, 2)).toBeUndefined();
  });

  it('rejects a window longer than the time to the next window', () => {
    expect(windowProblem({ kind: 'cron', startHours: [0, 6, 12] }, 7)).toContain('6h between rotation windows');
    expect(windowProblem({ kind: 'rate', everyHours: 4 }, 5)).toContain('4h between rotations');
    expect(windowProblem({ kind: 'rate', everyHours: 720 }, 24)).toBeUndefined();
  });

  it('names the field at fault', () => {
    expect(scheduleProblem('rate(1 hour)', '2h')?.field).toBe('schedule');
    expect(scheduleProblem('cron(0 23 ? * SUN *)', '2h')?.field).toBe('window');
    expect(scheduleProblem('cron(0 3 ? * SUN *)', undefined)).toBeUndefined();
  });
});
