import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { SCHEDULED_CALLER } from '../../lambda/requests/caller';
import { occurrenceAlarm } from './topic-alarm';

/**
 * The namespace of the metrics the audit records' filters count: the deployment's own, and `/Audit` (`PgRotator/Audit`
 * by default), so two deployments in one account and region, each with an `orchestrator` profile, never count into
 * each other's alarms.
 */
export function auditMetricsNamespace(metricsNamespace: string): string {
  return `${metricsNamespace}/Audit`;
}

/** Props of {@link ProfileAlarms}. */
export interface ProfileAlarmsProps {
  /** The profile's name: the `Profile` dimension of its metrics, as its audit records name it (PROFILE). */
  readonly profile: string;
  /** The deployment's metrics namespace (METRICS_NAMESPACE). */
  readonly metricsNamespace: string;
  /** The profile function's log group, where its audit records land. */
  readonly logGroup: logs.ILogGroup;
  /** The profile's expiry schedules' group, when it has a schedule. */
  readonly expiryGroup?: scheduler.ScheduleGroup;
  /** Where alarms go. */
  readonly topic: sns.ITopic;
}

/**
 * What an orchestrator function answers with `ok: false` instead of an error, which its Errors alarm therefore never
 * sees, counted from its audit records (one JSON line each, `"message":"audit"`) and alarmed on:
 * - a scheduled expire-temporary-users that failed (`caller` "schedule", outcome not ok): expired users then pile up;
 * - any refusal by a `protected.*` rule: no legitimate caller meets one, so it means an orchestrator asked for more than
 *   the deployment lets anyone have (a compromised caller, or a policy pattern that reaches too far).
 * And, with a schedule, the scheduler giving up on an invocation (its group's InvocationDroppedCount).
 */
export class ProfileAlarms extends Construct {
  /** Failed scheduled expiries. */
  readonly expiryFailed?: cloudwatch.Alarm;
  /** Dropped scheduled invocations. */
  readonly expiryDropped?: cloudwatch.Alarm;
  /** Refusals by a protected.* rule. */
  readonly protectedRefusals: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ProfileAlarmsProps) {
    super(scope, id);
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string) =>
      occurrenceAlarm(this, alarmId, props.topic, metric, `pg-rotator (${props.profile} profile): ${description}`);
    const counted = (filterId: string, metricName: string, pattern: logs.IFilterPattern) =>
      new MetricFilter(this, filterId, {
        logGroup: props.logGroup,
        filterPattern: pattern,
        metricNamespace: auditMetricsNamespace(props.metricsNamespace),
        metricName,
        metricValue: '1',
        // The record's own profile, so the metric says which function answered.
        dimensions: { Profile: '$.audit.profile' },
      }).metric({ dimensionsMap: { Profile: props.profile }, statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
    const audit = FilterPattern.stringValue('$.message', '=', 'audit');

    this.protectedRefusals = alarm(
      'ProtectedRefusals',
      counted('ProtectedRefusalsFilter', 'ProtectedRefusals', FilterPattern.all(audit, FilterPattern.stringValue('$.audit.rule', '=', 'protected.*'))),
      'an action was refused by a protected.* rule: a caller asked for an admin, superuser, service or rotated role; see the audit record (rule, caller, requestId) and CloudTrail for who invoked',
    );
    if (props.expiryGroup) {
      this.expiryFailed = alarm(
        'ExpiryFailed',
        counted(
          'ExpiryFailedFilter',
          'ScheduledExpiryFailures',
          FilterPattern.all(
            audit,
            FilterPattern.stringValue('$.audit.caller', '=', SCHEDULED_CALLER),
            FilterPattern.stringValue('$.audit.action', '=', 'expire-temporary-users'),
            FilterPattern.stringValue('$.audit.outcome', '!=', 'ok'),
          ),
        ),
        'a scheduled expire-temporary-users failed, so expired temporary users and their grants stay; see the audit record (errorCode) in the log group',
      );
      this.expiryDropped = alarm(
        'ExpiryDropped',
        props.expiryGroup.metricDropped({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        'EventBridge Scheduler gave up invoking expire-temporary-users (invoke permission, throttling); expired temporary users stay',
      );
    }
  }
}
