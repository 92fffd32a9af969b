import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { secretEventMatcher } from './secret-arns';

/** Props of {@link RotatorAlerts}. */
export interface RotatorAlertsProps {
  /** The rotation function. */
  readonly function: lambda.IFunction;
  /**
   * Each orchestrator profile's function, with the id its alarm is named by (`OrchestratorErrorsAlarm` for the
   * `orchestrator` profile, as pg-rotator's one orchestrator had). @default - none
   */
  readonly orchestratorFunctions?: readonly { readonly id: string; readonly profile: string; readonly function: lambda.IFunction }[];
  /** Where alerts go. */
  readonly topic: sns.ITopic;
  /** The rotated secrets, whose RotationFailed events are forwarded. */
  readonly secrets: readonly ISecret[];
}

/**
 * The event Secrets Manager records when a rotation fails. It is not an API call but a service event, which
 * CloudTrail delivers to EventBridge with this detail-type (EventBridge user guide, "AWS service events
 * delivered via AWS CloudTrail"); the failing secret's complete ARN is in `additionalEventData.SecretId`.
 */
export const ROTATION_FAILED_DETAIL_TYPE = 'AWS Service Event via CloudTrail';

/**
 * Alerts to one topic: any rotation function error (a failed or refused step, a timeout); any orchestrator function
 * error (orchestrator requests are answered even when they fail, so an error there is an event no orchestrator
 * sends: a rotation step, a malformed event, a timeout); and Secrets Manager's own RotationFailed, which also fires
 * when the function is never reached (invoke permission, network, throttling), where the Errors metric stays silent.
 */
export class RotatorAlerts extends Construct {
  /** Alarm on the rotation function's Errors metric. */
  readonly errorsAlarm: cloudwatch.Alarm;
  /** Alarm on the `orchestrator` profile's function's Errors metric, when it is deployed. */
  readonly orchestratorErrorsAlarm?: cloudwatch.Alarm;
  /** Alarms on every profile function's Errors metric, by profile. */
  readonly orchestratorErrorsAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** Rule on RotationFailed events for the rotated secrets. */
  readonly rotationFailedRule: events.Rule;

  constructor(scope: Construct, id: string, props: RotatorAlertsProps) {
    super(scope, id);
    const errorsAlarm = (id: string, fn: lambda.IFunction, description: string) => {
      const alarm = new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No invocations is the normal state between rotations, not a reason to alarm.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new actions.SnsAction(props.topic));
      return alarm;
    };
    this.errorsAlarm = errorsAlarm('ErrorsAlarm', props.function, 'pg-rotator: the rotation function reported an error (a failed or refused rotation step, a timeout); see its log group');
    const profileAlarms = new Map<string, cloudwatch.Alarm>();
    for (const orchestrator of props.orchestratorFunctions ?? []) {
      profileAlarms.set(
        orchestrator.profile,
        errorsAlarm(
          orchestrator.id,
          orchestrator.function,
          `pg-rotator: the orchestrator function of the ${orchestrator.profile} profile reported an error: an event no orchestrator sends (a rotation step, a malformed event) or a timeout; see its log group`,
        ),
      );
    }
    this.orchestratorErrorsAlarms = profileAlarms;
    this.orchestratorErrorsAlarm = profileAlarms.get('orchestrator');

    this.rotationFailedRule = new events.Rule(this, 'RotationFailedRule', {
      description: 'pg-rotator: Secrets Manager gave up rotating one of its secrets',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: [ROTATION_FAILED_DETAIL_TYPE],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed'],
          additionalEventData: { SecretId: props.secrets.map(secretEventMatcher) },
        },
      },
    });
    // EventBridge publishes through a role of its own (sns:Publish on this topic, plus its key if it has one)
    // rather than a topic-policy grant to events.amazonaws.com: the grant carries no source condition, and a
    // role also works for a topic imported by ARN, whose policy this stack cannot edit.
    this.rotationFailedRule.addTarget(new targets.SnsTopic(props.topic, { authorizeUsingRole: true }));
    Validations.of(this.rotationFailedRule).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        "Topic.grantPublish on an encrypted topic: the wildcard only spans the GenerateDataKey variants, on the topic's one key, which SNS needs to encrypt each message.",
    });
  }
}
