import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { SCHEDULED_CALLER } from '../../lambda/requests/caller';
import type { StatusRequest } from '../../lambda/status/status-request';
import { scheduleInvoker } from './schedule-invoker';

/**
 * How often the scheduled check runs: hourly finds a stuck rotation within an hour of its window closing, and costs
 * 24 listings a day (a few hundred ListSecrets calls for 10,000 secrets). The status alarms read one such period.
 */
export const STATUS_CHECK_INTERVAL = Duration.hours(1);

const hours = STATUS_CHECK_INTERVAL.toHours();
/** The schedule expression of {@link STATUS_CHECK_INTERVAL} (Scheduler wants the unit singular for 1). */
export const STATUS_CHECK_SCHEDULE = `rate(${hours} ${hours === 1 ? 'hour' : 'hours'})`;

/**
 * What the schedule sends: the counts and metrics only (`list: none`, nobody reads the answer), for the whole fleet
 * (no `namePrefix`: only a full check emits the metrics the alarms read).
 */
export const SCHEDULED_STATUS_REQUEST = { kind: 'status', list: 'none', caller: SCHEDULED_CALLER } as const satisfies StatusRequest;

/** Props of {@link StatusSchedule}. */
export interface StatusScheduleProps {
  /** The status function. */
  readonly function: lambda.IFunction;
}

/**
 * The scheduled status check: an EventBridge Scheduler schedule, built as the expiry schedules are
 * (expiry-schedules.ts), invoking the status function every {@link STATUS_CHECK_INTERVAL} with
 * {@link SCHEDULED_STATUS_REQUEST}. Its findings become metrics on the function's summary line, which the status
 * alarms read. In a group of its own, invoking through a role that may invoke the status function and nothing else,
 * and that only this group's schedules may assume (aws:SourceAccount, aws:SourceArn).
 */
export class StatusSchedule extends Construct {
  /** The schedule's group. */
  readonly group: scheduler.ScheduleGroup;
  /** The role the scheduler invokes the function with. */
  readonly role: iam.Role;
  /** The schedule. */
  readonly schedule: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: StatusScheduleProps) {
    super(scope, id);
    ({ group: this.group, role: this.role } = scheduleInvoker(this, {
      function: props.function,
      description: 'pg-rotator: EventBridge Scheduler invokes the status function for the scheduled status check',
      policyName: 'InvokeStatusFunction',
    }));
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: 'pg-rotator: the scheduled status check (stuck, overdue and rotation-disabled secrets)',
      groupName: this.group.scheduleGroupName,
      scheduleExpression: STATUS_CHECK_SCHEDULE,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: props.function.functionArn,
        roleArn: this.role.roleArn,
        input: JSON.stringify(SCHEDULED_STATUS_REQUEST),
        // A missed check is made up by the next; a throttled one (another caller holds its one slot) is retried.
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 900 },
      },
    });
  }
}
