import { describe, expect, it } from 'vitest';
import { dueBy, rotationWindow } from '../../lambda/schedule/rotation-window';
import type { ListedSecret } from '../../lambda/status/secret-status';
import { isRotatedBy, pendingVersionId, secretStatus } from '../../lambda/status/secret-status';

const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:pg-rotator';
const at = (iso: string) => new Date(iso);

describe('rotation windows, as Secrets Manager documents them', () => {
  it.each([
    [{ AutomaticallyAfterDays: 30 }, { kind: 'days', days: 30 }, 24, 'every 30 days'],
    [{ ScheduleExpression: 'rate(10 days)' }, { kind: 'days', days: 10 }, 24, 'rate(10 days)'],
    [{ ScheduleExpression: 'rate(6 hours)' }, { kind: 'hours', hours: 6 }, 1, 'rate(6 hours)'],
    [{ ScheduleExpression: 'cron(0 3 ? * SUN *)' }, { kind: 'cron', startHours: [3] }, 21, 'cron(0 3 ? * SUN *)'],
    [{ ScheduleExpression: 'cron(0 */8 * * ? *)' }, { kind: 'cron', startHours: [0, 8, 16] }, 1, 'cron(0 */8 * * ? *)'],
    [{ ScheduleExpression: 'rate(1 day)', Duration: '3h' }, { kind: 'days', days: 1 }, 3, 'rate(1 day)'],
    [undefined, undefined, 24, undefined],
  ])('%j: cadence %j, window %ih', (rules, cadence, windowHours, schedule) => {
    expect(rotationWindow(rules)).toEqual({ cadence, windowHours, schedule });
  });

  it('a day schedule is due by the close of that UTC day\'s window, counted from the last rotation', () => {
    const last = at('2026-01-01T10:00:00Z');

    expect(dueBy(rotationWindow({ AutomaticallyAfterDays: 30 }), last, undefined)).toEqual(at('2026-02-01T00:00:00Z'));
    expect(dueBy(rotationWindow({ AutomaticallyAfterDays: 30, Duration: '3h' }), last, undefined)).toEqual(at('2026-01-31T03:00:00Z'));
    expect(dueBy(rotationWindow({ ScheduleExpression: 'rate(6 hours)' }), last, undefined)).toEqual(at('2026-01-01T17:00:00Z'));
  });

  it('a later NextRotationDate wins (a manual change counts as a rotation); a cron has only NextRotationDate', () => {
    const last = at('2026-01-01T10:00:00Z');

    expect(dueBy(rotationWindow({ AutomaticallyAfterDays: 30 }), last, at('2026-02-20T00:00:00Z'))).toEqual(at('2026-02-21T00:00:00Z'));
    expect(dueBy(rotationWindow({ ScheduleExpression: 'cron(0 3 ? * SUN *)' }), last, at('2026-01-04T03:00:00Z'))).toEqual(at('2026-01-05T00:00:00Z'));
    expect(dueBy(rotationWindow({ ScheduleExpression: 'cron(0 3 ? * SUN *)' }), last, undefined)).toBeUndefined();
  });
});

function listed(overrides: Partial<ListedSecret> = {}): ListedSecret {
  return {
    arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf',
    name: 'app',
    rotationEnabled: true,
    rotationLambdaArn: FUNCTION,
    rotationRules: { AutomaticallyAfterDays: 30 },
    lastRotatedDate: at('2026-03-01T00:30:00Z'),
    nextRotationDate: at('2026-03-31T00:30:00Z'),
    createdDate: at('2025-01-01T00:00:00Z'),
    tags: { 'pg-rotator:strategy': 'alternating' },
    versionStages: { v2: ['AWSCURRENT'], v1: ['AWSPREVIOUS'] },
    ...overrides,
  };
}

describe('which secrets are this deployment\'s', () => {
  it('are those naming this function, qualified or not, and no other', () => {
    expect(isRotatedBy(FUNCTION, FUNCTION)).toBe(true);
    expect(isRotatedBy(`${FUNCTION}:live`, FUNCTION)).toBe(true);
    expect(isRotatedBy(`${FUNCTION}-other`, FUNCTION)).toBe(false);
    expect(isRotatedBy(undefined, FUNCTION)).toBe(false);
  });
});

describe('findings', () => {
  const now = at('2026-03-10T12:00:00Z');

  it('a healthy secret: none, with its strategy from the tag, its due date and its labels, AWSCURRENT first', () => {
    expect(secretStatus(listed(), undefined, now)).toEqual({
      arn: listed().arn,
      name: 'app',
      strategy: 'alternating',
      rotationEnabled: true,
      schedule: 'every 30 days',
      windowHours: 24,
      lastRotated: '2026-03-01T00:30:00.000Z',
      nextRotation: '2026-03-31T00:30:00.000Z',
      dueBy: '2026-04-01T00:00:00.000Z',
      stages: [['AWSCURRENT'], ['AWSPREVIOUS']],
      pending: null,
      lastFailure: null,
      findings: [],
    });
  });

  it('stuck: AWSPENDING apart from AWSCURRENT for longer than the window, with the failure it implies', () => {
    const stages = { v3: ['AWSPENDING'], v2: ['AWSCURRENT'], v1: ['AWSPREVIOUS'] };
    const status = secretStatus(listed({ versionStages: stages }), at('2026-03-09T11:00:00Z'), now);

    expect(pendingVersionId(stages)).toBe('v3');
    expect(status.findings.map((f) => f.kind)).toEqual(['stuck']);
    expect(status.findings[0]?.detail).toMatch(/version v3 since 2026-03-09T11:00:00.000Z \(1d 1h\), longer than the 24h rotation window/);
    expect(status.pending).toEqual({ versionId: 'v3', createdAt: '2026-03-09T11:00:00.000Z', ageSeconds: 90_000 });
    expect(status.lastFailure).toEqual({ since: '2026-03-09T11:00:00.000Z', detail: 'the rotation begun then did not finish (version v3)' });
  });

  it('not stuck: a pending version within its window, one whose age is unknown, and AWSPENDING left on AWSCURRENT', () => {
    const pending = { v3: ['AWSPENDING'], v2: ['AWSCURRENT'] };

    expect(secretStatus(listed({ versionStages: pending }), at('2026-03-10T11:00:00Z'), now).findings).toEqual([]);
    expect(secretStatus(listed({ versionStages: pending }), null, now)).toMatchObject({ findings: [], pending: { versionId: 'v3', createdAt: null, ageSeconds: null } });
    expect(secretStatus(listed({ versionStages: { v2: ['AWSCURRENT', 'AWSPENDING'] } }), undefined, now)).toMatchObject({ findings: [], pending: null });
  });

  it('overdue: the window in which the next rotation was due has closed; never rotated counts from creation', () => {
    const late = secretStatus(listed({ lastRotatedDate: at('2026-01-01T00:00:00Z'), nextRotationDate: at('2026-01-31T00:00:00Z') }), undefined, now);
    const never = secretStatus(listed({ lastRotatedDate: undefined, nextRotationDate: undefined, createdDate: at('2026-01-01T00:00:00Z') }), undefined, now);

    expect(late.findings).toEqual([{ kind: 'overdue', detail: 'last rotated 2026-01-01T00:00:00.000Z; under every 30 days the next rotation was due by 2026-02-01T00:00:00.000Z' }]);
    expect(never.findings).toEqual([{ kind: 'overdue', detail: 'never rotated since its creation on 2026-01-01T00:00:00.000Z; under every 30 days the next rotation was due by 2026-02-01T00:00:00.000Z' }]);
  });

  it('rotation-disabled instead of overdue when rotation is off; a strategy tag with an unknown value is "unknown"', () => {
    const off = secretStatus(listed({ rotationEnabled: false, lastRotatedDate: at('2025-06-01T00:00:00Z'), nextRotationDate: undefined, tags: { 'pg-rotator:strategy': 'drop-tables' } }), undefined, now);

    expect(off.findings.map((f) => f.kind)).toEqual(['rotation-disabled']);
    expect(off).toMatchObject({ strategy: 'unknown', dueBy: null });
    expect(secretStatus(listed({ tags: {} }), undefined, now, 'admin').strategy).toBe('admin');
  });
});
