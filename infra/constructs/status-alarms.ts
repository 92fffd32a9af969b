import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { MetricName } from '../../lambda/log/metric-catalog';
import { topicAlarm } from './topic-alarm';

/** Props of {@link StatusAlarms}. */
export interface StatusAlarmsProps {
  /** The namespace the functions' metrics are in (METRICS_NAMESPACE). */
  readonly namespace: string;
  /** How often the scheduled check runs: each finding alarm reads one such period. */
  readonly interval: Duration;
  /** Where alarms go. */
  readonly topic: sns.ITopic;
}

/**
 * Alarms on the scheduled status check's metrics (its summary line: lambda/status/handle-status-request.ts), each
 * notifying the alert topic; what to do for each is in docs/operations.md.
 *
 * EMF metrics exist only for periods in which a line carried them, so the finding alarms treat missing data as not
 * breaching (no check, no finding) and one more alarm notices a silent check: no `ManagedSecrets` sample in two
 * intervals, missing data breaching. A check that ran and found no managed secret still emits `ManagedSecrets` 0.
 */
export class StatusAlarms extends Construct {
  /** StuckSecrets > 0. */
  readonly stuck: cloudwatch.Alarm;
  /** OverdueSecrets > 0. */
  readonly overdue: cloudwatch.Alarm;
  /** StatusIncomplete > 0: the check stopped listing early. */
  readonly incomplete: cloudwatch.Alarm;
  /** No ManagedSecrets sample in two intervals: the check did not run, or did not finish. */
  readonly notRunning: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StatusAlarmsProps) {
    super(scope, id);
    const metric = (name: MetricName, statistic: string, period: Duration) =>
      new cloudwatch.Metric({ namespace: props.namespace, metricName: name, statistic, period });
    const alarm = (alarmId: string, options: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>) => topicAlarm(this, alarmId, props.topic, options);
    const finding = (alarmId: string, name: MetricName, description: string) =>
      alarm(alarmId, {
        alarmDescription: `pg-rotator: ${description}; see docs/operations.md (the scheduled check, alarms and the dashboard)`,
        metric: metric(name, cloudwatch.Stats.MAXIMUM, props.interval),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    this.stuck = finding('StuckSecrets', 'StuckSecrets', 'a secret has had AWSPENDING apart from AWSCURRENT for longer than its rotation window (a rotation that will not finish by itself)');
    this.overdue = finding('OverdueSecrets', 'OverdueSecrets', 'a secret has not rotated within its schedule');
    this.incomplete = finding('StatusIncomplete', 'StatusIncomplete', 'the status check stopped listing early (page or time limit): its counts cover only part of the secrets');
    this.notRunning = alarm('StatusCheckNotRunning', {
      alarmDescription:
        'pg-rotator: the scheduled status check reported nothing for two intervals (not invoked, failing, or timing out), so stuck and overdue secrets would go unseen; see docs/operations.md (the scheduled check, alarms and the dashboard)',
      metric: metric('ManagedSecrets', cloudwatch.Stats.SAMPLE_COUNT, props.interval.plus(props.interval)),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
