import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { SCHEDULED_CALLER } from '../../lambda/requests/caller';
import type { EffectiveExpiry } from './orchestrator-profiles';
import { scheduleInvoker } from './schedule-invoker';
import { secretArnOf } from './secret-arns';


/** Props of {@link ExpirySchedules}. */
export interface ExpirySchedulesProps {
  /** The profile's function. */
  readonly function: lambda.IFunction;
  /** The profile's name, for descriptions. */
  readonly profile: string;
  /** Its schedule and targets. */
  readonly expiry: EffectiveExpiry;
}

/**
 * expire-temporary-users on a schedule, for one profile: one EventBridge Scheduler schedule per target (an admin secret
 * of the profile), each invoking the profile's function with
 * `{kind: 'action', action: 'expire-temporary-users', target, params: {}, caller: 'schedule'}`, so expired users,
 * their sessions and their grants never pile up (VALID UNTIL only stops new logins; Vault users report thousands of
 * never-revoked roles bloating the catalogue until GRANT failed).
 *
 * The schedules live in a group of their own, whose InvocationDroppedCount says when the scheduler gave up on one; the
 * function answers a failed expiry with `ok: false` rather than an error, which the audit alarms catch. Scheduler
 * invokes through a role of its own that may invoke this function and nothing else, and that only this group's
 * schedules may assume (aws:SourceAccount, aws:SourceArn: the confused-deputy guard of "Set up the execution role").
 */
export class ExpirySchedules extends Construct {
  /** The schedules' group. */
  readonly group: scheduler.ScheduleGroup;
  /** The role the scheduler invokes the function with. */
  readonly role: iam.Role;
  /** One schedule per target, in order. */
  readonly schedules: readonly scheduler.CfnSchedule[];

  constructor(scope: Construct, id: string, props: ExpirySchedulesProps) {
    super(scope, id);
    ({ group: this.group, role: this.role } = scheduleInvoker(this, {
      function: props.function,
      description: `pg-rotator: EventBridge Scheduler invokes the ${props.profile} profile's function to expire temporary users`,
      policyName: 'InvokeProfileFunction',
    }));
    this.schedules = props.expiry.targets.map((target, index) => {
      const request = {
        kind: 'action',
        action: 'expire-temporary-users',
        target: {
          adminSecretArn: secretArnOf(target.adminSecret),
          ...(target.connectionSecret === undefined ? {} : { connectionSecretArn: secretArnOf(target.connectionSecret) }),
          ...(target.database === undefined ? {} : { database: target.database }),
        },
        params: {},
        caller: SCHEDULED_CALLER,
      };
      return new scheduler.CfnSchedule(this, `Target${index}`, {
        description: `pg-rotator: expire temporary users (${props.profile} profile)`,
        groupName: this.group.scheduleGroupName,
        scheduleExpression: props.expiry.schedule,
        scheduleExpressionTimezone: 'UTC',
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: props.function.functionArn,
          roleArn: this.role.roleArn,
          input: Stack.of(this).toJsonString(request),
          // A missed run is made up by the next: retry briefly, then drop (and the group's alarm says so).
          retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 900 },
        },
      });
    });
  }
}
