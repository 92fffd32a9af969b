import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';

/** A schedule group and the role its schedules invoke a function with. */
export interface ScheduleInvoker {
  readonly group: scheduler.ScheduleGroup;
  readonly role: iam.Role;
}

/**
 * The group (`Group`) and role (`Role`) of EventBridge Scheduler schedules that invoke one function: only Scheduler
 * may assume the role, only for this group's schedules in this account, and it may invoke that function alone, by
 * its unqualified ARN ($LATEST: no version or alias is granted). Nothing in it outlives the stack: the schedules are
 * deleted with it, and so is the group.
 */
export function scheduleInvoker(scope: Construct, props: { readonly function: lambda.IFunction; readonly description: string; readonly policyName: string }): ScheduleInvoker {
  const group = new scheduler.ScheduleGroup(scope, 'Group', { removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, 'Role', {
    description: props.description,
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
        ArnEquals: { 'aws:SourceArn': group.scheduleGroupArn },
      },
    }),
    inlinePolicies: {
      [props.policyName]: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.function.functionArn] })],
      }),
    },
  });
  return { group, role };
}
