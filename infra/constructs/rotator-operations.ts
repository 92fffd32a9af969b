import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DEFAULT_METRICS_NAMESPACE } from '../../lambda/config/environment';
import type { RotatorFunction } from './rotator-function';
import { RotatorDashboard } from './rotator-dashboard';
import { StatusAlarms } from './status-alarms';
import type { StatusFunctionProps } from './status-function';
import { StatusFunction } from './status-function';
import { STATUS_CHECK_INTERVAL, StatusSchedule } from './status-schedule';

/** Props of {@link RotatorOperations}. */
export interface RotatorOperationsProps extends Omit<StatusFunctionProps, 'rotationFunction'> {
  /** The rotation function: the status check lists its secrets, the dashboard queries its log group. */
  readonly rotation: RotatorFunction;
  /** Where the status alarms go. */
  readonly topic: sns.ITopic;
}

/**
 * What an operator watches a fleet of rotating secrets with (docs/operations.md): the status function, its hourly
 * schedule, the alarms on what the scheduled check finds, and the dashboard. All read the metrics in the deployment's
 * METRICS_NAMESPACE.
 */
export class RotatorOperations extends Construct {
  /** The status function, its role, grants and invoke permissions. */
  readonly status: StatusFunction;
  /** The scheduled check. */
  readonly schedule: StatusSchedule;
  /** The alarms on its findings, and on its silence. */
  readonly alarms: StatusAlarms;
  /** The dashboard. */
  readonly dashboard: RotatorDashboard;

  constructor(scope: Construct, id: string, props: RotatorOperationsProps) {
    super(scope, id);
    const { rotation, topic, ...status } = props;
    const namespace = props.settings.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    this.status = new StatusFunction(this, 'Status', { ...status, rotationFunction: rotation.function });
    const statusFunction = this.status.function;
    this.schedule = new StatusSchedule(this, 'Schedule', { function: statusFunction.function });
    this.alarms = new StatusAlarms(this, 'Alarms', { namespace, interval: STATUS_CHECK_INTERVAL, topic });
    this.dashboard = new RotatorDashboard(this, 'Dashboard', {
      namespace,
      rotationLogGroup: rotation.logGroup,
      statusLogGroup: statusFunction.logGroup,
      interval: STATUS_CHECK_INTERVAL,
    });
  }
}
