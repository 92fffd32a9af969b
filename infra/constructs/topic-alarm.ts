import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** An alarm on one evaluation period that notifies the alert topic: how each of pg-rotator's alarms is made. */
export function topicAlarm(scope: Construct, id: string, topic: sns.ITopic, props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, { ...props, evaluationPeriods: 1 });
  alarm.addAlarmAction(new actions.SnsAction(topic));
  return alarm;
}

/**
 * {@link topicAlarm} when a count reaches 1 in the period. Missing data is not breaching: no data is the normal state
 * (no error, no refusal, no invocation between rotations), not a reason to alarm.
 */
export function occurrenceAlarm(scope: Construct, id: string, topic: sns.ITopic, metric: cloudwatch.IMetric, alarmDescription: string): cloudwatch.Alarm {
  return topicAlarm(scope, id, topic, {
    alarmDescription,
    metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
