import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lambda/log/logger';
import { METRIC_CATALOG, requestMetrics, statusMetrics, stepMetrics } from '../../lambda/log/metric-catalog';
import type { Metric } from '../../lambda/log/metrics';
import { emfMembers } from '../../lambda/log/metrics';
import { rotationTimer } from '../../lambda/rotation/rotation-timer';
import { EmfDocumentSchema, extractMetrics } from '../support/emf-spec';

const NOW = Date.UTC(2026, 0, 1);

function lineOf(members: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ message: 'x', ...extra, ...members });
}

describe('the EMF writer', () => {
  it('writes a document the specification accepts, one directive per distinct dimension sets', () => {
    const members = emfMembers('PgRotator', stepMetrics({ step: 'setSecret', outcome: 'failed', durationMs: 12, code: 'DB_NETWORK' }), NOW);

    expect(EmfDocumentSchema.safeParse(members).success).toBe(true);
    expect(members).toMatchObject({
      _aws: {
        Timestamp: NOW,
        CloudWatchMetrics: [
          { Namespace: 'PgRotator', Dimensions: [['Step', 'Outcome']], Metrics: [{ Name: 'StepDuration', Unit: 'Milliseconds' }] },
          { Namespace: 'PgRotator', Dimensions: [['Code'], ['Step'], []], Metrics: [{ Name: 'StepFailures', Unit: 'Count' }] },
        ],
      },
      Step: 'setSecret',
      Outcome: 'failed',
      Code: 'DB_NETWORK',
      StepDuration: 12,
      StepFailures: 1,
    });
    // Only the dimensions some metric is published under become members.
    expect(members).not.toHaveProperty('Strategy');
  });

  it('splits more than 100 metrics of one dimension set over directives, and caps a set at 30 keys', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `D${i}`);
    const metrics: Metric[] = Array.from({ length: 150 }, (_, i) => ({ name: `M${i}`, unit: 'Count', value: i, by: [keys] }));
    const members = emfMembers('N', { dimensions: Object.fromEntries(keys.map((k) => [k, 'v'])), metrics }, NOW) as { _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: unknown[] }[] } };

    expect(members._aws.CloudWatchMetrics.map((d) => d.Metrics.length)).toEqual([100, 50]);
    expect(members._aws.CloudWatchMetrics[0]?.Dimensions[0]).toHaveLength(30);
    expect(EmfDocumentSchema.safeParse(members).success).toBe(true);
  });

  it('leaves out a value that is not a finite number and makes dimension values ASCII and not blank', () => {
    const members = emfMembers('N', {
      dimensions: { Role: 'rôle', Empty: ' ' },
      metrics: [
        { name: 'Bad', unit: 'Count', value: Number.NaN, by: [['Role']] },
        { name: 'Good', unit: 'Count', value: 1, by: [['Role', 'Empty']] },
      ],
    }, NOW);

    expect(members).not.toHaveProperty('Bad');
    expect(members).toMatchObject({ Role: 'r?le', Empty: 'none', Good: 1 });
    expect(EmfDocumentSchema.safeParse(members).success).toBe(true);
    expect(emfMembers('N', { dimensions: {}, metrics: [{ name: 'Bad', unit: 'Count', value: Infinity, by: [[]] }] }, NOW)).toEqual({});
  });

  it('the spec check fails a document whose references are not members, or that breaks a limit', () => {
    const good = emfMembers('N', statusMetrics({ managed: 3, stuck: 1, overdue: 0, rotationDisabled: 0, complete: true }), NOW);
    const { StuckSecrets: _stuck, ...missingMetric } = good;
    const directive = { Namespace: 'N', Dimensions: [['Step']], Metrics: [{ Name: 'T', Unit: 'Milliseconds' }] };

    expect(EmfDocumentSchema.safeParse(good).success).toBe(true);
    expect(EmfDocumentSchema.safeParse(missingMetric).success).toBe(false);
    expect(EmfDocumentSchema.safeParse({ _aws: { Timestamp: NOW, CloudWatchMetrics: [directive] }, T: 1 }).success).toBe(false);
    expect(EmfDocumentSchema.safeParse({ _aws: { Timestamp: NOW, CloudWatchMetrics: [directive] }, T: 1, Step: 7 }).success).toBe(false);
    expect(EmfDocumentSchema.safeParse({ _aws: { Timestamp: NOW, CloudWatchMetrics: [{ ...directive, Metrics: [{ Name: 'T', Unit: 'Millis' }] }] }, T: 1, Step: 's' }).success).toBe(false);
    expect(EmfDocumentSchema.safeParse({ _aws: { Timestamp: 1.5, CloudWatchMetrics: [] } }).success).toBe(false);
  });
});

describe('the metric catalogue', () => {
  it('publishes every metric under the units and dimension sets it lists, with bounded values only', () => {
    const lines = [
      stepMetrics({ step: 'finishSecret', outcome: 'succeeded', durationMs: 3, rotation: { strategy: 'alternating', durationMs: 40 } }),
      stepMetrics({ step: 'setSecret', outcome: 'failed', durationMs: 5, code: 'DB_AUTHENTICATION' }),
      requestMetrics({ kind: 'action', outcome: 'refused', durationMs: 9, code: 'ACTION_REFUSED', action: 'lock-user' }),
      statusMetrics({ managed: 10, stuck: 1, overdue: 2, rotationDisabled: 3, complete: false }),
    ].map((set) => lineOf(emfMembers('PgRotator', set, NOW), { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf' }));

    const extracted = extractMetrics(lines);

    expect(new Set(extracted.map((m) => m.name))).toEqual(new Set(Object.keys(METRIC_CATALOG)));
    for (const metric of extracted) {
      const entry = METRIC_CATALOG[metric.name as keyof typeof METRIC_CATALOG];
      expect(metric.unit).toBe(entry.unit);
      expect((entry.by as readonly (readonly string[])[]).map((set) => [...set].sort().join())).toContain(Object.keys(metric.dimensions).sort().join());
      expect(Object.values(metric.dimensions).join()).not.toContain('arn:');
    }
    expect(extracted).toContainEqual(expect.objectContaining({ name: 'RotationDuration', value: 40, dimensions: { Strategy: 'alternating' } }));
    expect(extracted).toContainEqual(expect.objectContaining({ name: 'Actions', dimensions: { Action: 'lock-user', Outcome: 'refused' } }));
    expect(extracted).toContainEqual(expect.objectContaining({ name: 'StatusIncomplete', value: 1, dimensions: {} }));
  });
});

describe('lines carrying metrics', () => {
  it('are written below the log level, with their EMF members untouched by redaction', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'error', metricsNamespace: 'Team/PgRotator', write: (l) => lines.push(l) });

    log.info('quiet');
    log.info('step', { password: 'p1' }, statusMetrics({ managed: 1, stuck: 0, overdue: 0, rotationDisabled: 0, complete: true }));

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('p1');
    expect(extractMetrics(lines)).toContainEqual(expect.objectContaining({ namespace: 'Team/PgRotator', name: 'ManagedSecrets', value: 1 }));
  });
});

describe('the rotation timer', () => {
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf';

  it('measures from the first createSecret this container ran to the end of finishSecret, with the strategy', () => {
    const timer = rotationTimer();
    timer.stepRan(arn, 't1', 'createSecret', 1_000);
    timer.stepRan(arn, 't1', 'createSecret', 2_000, 'single-user'); // Secrets Manager's retry
    timer.stepRan(arn, 't1', 'setSecret', 2_500, 'single-user');
    timer.stepRan(arn, 't1', 'finishSecret', 3_000, 'n/a');

    expect(timer.finished(arn, 't1', 3_100)).toEqual({ durationMs: 2_100, strategy: 'single-user' });
    expect(timer.finished(arn, 't1', 3_200)).toEqual({ strategy: 'unknown' });
  });

  it('has no duration for a rotation whose createSecret ran in another container', () => {
    const timer = rotationTimer();
    timer.stepRan(arn, 't2', 'testSecret', 1_000, 'admin');

    expect(timer.finished(arn, 't2', 2_000)).toEqual({ strategy: 'admin' });
  });

  it('forgets rotations it never saw finish after a day', () => {
    const timer = rotationTimer();
    timer.stepRan(arn, 'old', 'createSecret', 0, 'admin');
    timer.stepRan(arn, 'new', 'createSecret', 25 * 3_600_000, 'admin');

    expect(timer.finished(arn, 'old', 25 * 3_600_000)).toEqual({ strategy: 'unknown' });
  });
});
