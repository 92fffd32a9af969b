import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { MetricName } from '../../lambda/log/metric-catalog';

/** Logs Insights, on the rotation function's log group: the last failed steps, with secret and error (docs/operations.md). */
export const LAST_FAILURES_QUERY = [
  'fields @timestamp, secretArn, step, error.code, error.message',
  '| filter level = "error" and ispresent(step)',
  '| sort @timestamp desc',
  '| limit 50',
].join('\n');

/** Logs Insights, on the status function's log group: the secrets the last checks found stuck or overdue. */
export const STATUS_FINDINGS_QUERY = [
  'fields @timestamp, secretArn, finding, detail',
  '| filter message = "status finding"',
  '| sort @timestamp desc',
  '| limit 100',
].join('\n');

/** Props of {@link RotatorDashboard}. */
export interface RotatorDashboardProps {
  /** The namespace the functions' metrics are in (METRICS_NAMESPACE). */
  readonly namespace: string;
  /** The rotation function's log group, for the failures query. */
  readonly rotationLogGroup: logs.ILogGroup;
  /** The status function's log group, for the findings query. */
  readonly statusLogGroup: logs.ILogGroup;
  /** How often the scheduled check runs: the period of its numbers, and of the graphs. */
  readonly interval: Duration;
}

/**
 * The operator's morning view, one CloudWatch dashboard: what the last status check found (stuck, overdue,
 * rotation disabled, managed); rotations and failed steps over time, and the failures by error code; how long
 * rotations and steps take (percentiles); orchestrator actions by action and outcome; and the two Logs Insights
 * queries that name the secrets (docs/operations.md). Metrics carry no secret, so every per-secret answer is a query.
 *
 * Widgets whose dimension values are open-ended (error codes, strategies, steps, actions) are SEARCH expressions over
 * the catalogue's dimension sets (lambda/log/metric-catalog.ts), so a new code or action appears without a redeploy.
 */
export class RotatorDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: RotatorDashboardProps) {
    super(scope, id);
    const period = props.interval;
    const metric = (name: MetricName, statistic: string, label: string) =>
      new cloudwatch.Metric({ namespace: props.namespace, metricName: name, statistic, period, label });
    // The namespace in double quotes: it may hold `/`, `#`, `:` or spaces (METRICS_NAMESPACE's rule), never a quote.
    const search = (name: MetricName, dimensions: readonly string[], statistic: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{"${props.namespace}",${dimensions.join(',')}} MetricName="${name}"', '${statistic}', ${period.toSeconds()})`,
        usingMetrics: {},
        label,
        period,
      });
    const graph = (title: string, left: cloudwatch.IMetric[], width: number, unit?: string) =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6, ...(unit === undefined ? {} : { leftYAxis: { label: unit, showUnits: false, min: 0 } }) });
    const query = (title: string, logGroup: logs.ILogGroup, queryString: string) =>
      new cloudwatch.LogQueryWidget({ title, logGroupNames: [logGroup.logGroupName], queryString, view: cloudwatch.LogQueryVisualizationType.TABLE, width: 24, height: 6 });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Rotations are weekly or monthly: a week shows each secret's last one.
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.SingleValueWidget({
            title: 'Status check: secrets by finding',
            metrics: [
              metric('StuckSecrets', cloudwatch.Stats.MAXIMUM, 'stuck'),
              metric('OverdueSecrets', cloudwatch.Stats.MAXIMUM, 'overdue'),
              metric('RotationDisabledSecrets', cloudwatch.Stats.MAXIMUM, 'rotation disabled'),
              metric('ManagedSecrets', cloudwatch.Stats.MAXIMUM, 'managed'),
            ],
            width: 24,
            height: 4,
          }),
        ],
        [
          graph('Rotations completed and steps failed', [metric('RotationsCompleted', cloudwatch.Stats.SUM, 'rotations completed'), metric('StepFailures', cloudwatch.Stats.SUM, 'steps failed')], 12),
          graph('Step failures by error code', [search('StepFailures', ['Code'], 'Sum', "${PROP('Dim.Code')}")], 12),
        ],
        [
          graph(
            'Rotation duration by strategy (p50, p90, p99)',
            ['p50', 'p90', 'p99'].map((p) => search('RotationDuration', ['Strategy'], p, `${p} \${PROP('Dim.Strategy')}`)),
            12,
            'ms',
          ),
          graph('Step duration p90 by step', [search('StepDuration', ['Step', 'Outcome'], 'p90', "${PROP('Dim.Step')} ${PROP('Dim.Outcome')}")], 12, 'ms'),
        ],
        [graph('Actions by action and outcome', [search('Actions', ['Action', 'Outcome'], 'Sum', "${PROP('Dim.Action')} ${PROP('Dim.Outcome')}")], 24)],
        [query('Last rotation failures (rotation function log)', props.rotationLogGroup, LAST_FAILURES_QUERY)],
        [query('Stuck and overdue secrets (status function log)', props.statusLogGroup, STATUS_FINDINGS_QUERY)],
      ],
    });
  }
}
