import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { secretEventMatcher } from './secret-arns';
import { occurrenceAlarm } from './topic-alarm';

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
  /**
   * Forward every secret's RotationFailed in this account and region: set when secrets are attached from other
   * stacks, which this one cannot list. Also chosen when the list would not fit in one event pattern.
   * @default false
   */
  readonly everySecret?: boolean;
}

/**
 * EventBridge's "Event pattern size" quota: 2,048 characters by default, adjustable to 4,096 (Amazon EventBridge
 * quotas). A rule listing every secret ARN passes it at about 20 secrets.
 */
export const EVENT_PATTERN_LIMIT = 2048;

/** What a secret ARN known only at deploy time is counted as in a pattern: as long as a long ARN. */
const DEPLOY_TIME_ARN_CHARACTERS = 128;

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
  /** Whether the rule forwards every secret's RotationFailed (attached secrets, or too many to list). */
  readonly watchesEverySecret: boolean;

  constructor(scope: Construct, id: string, props: RotatorAlertsProps) {
    super(scope, id);
    const errorsAlarm = (id: string, fn: lambda.IFunction, description: string) =>
      occurrenceAlarm(this, id, props.topic, fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }), description);
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

    const listed = props.everySecret === true ? undefined : listedSecrets(this, props.secrets);
    this.watchesEverySecret = listed === undefined;
    this.rotationFailedRule = new events.Rule(this, 'RotationFailedRule', {
      description: listed
        ? 'pg-rotator: Secrets Manager gave up rotating one of its secrets'
        : 'pg-rotator: Secrets Manager gave up rotating a secret of this account and region',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: [ROTATION_FAILED_DETAIL_TYPE],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed'],
          ...(listed ? { additionalEventData: { SecretId: listed } } : {}),
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

/**
 * The secrets' event matchers, or undefined when they would take the rule's pattern past {@link EVENT_PATTERN_LIMIT}
 * (counted generously: a deploy-time ARN as a long one, and a fixed allowance for the rest of the pattern). The rule
 * then forwards every RotationFailed of the account and region instead: the one pattern that stays one size.
 */
function listedSecrets(scope: Construct, secrets: readonly ISecret[]): (string | { prefix: string })[] | undefined {
  const matchers = secrets.map(secretEventMatcher);
  const stack = Stack.of(scope);
  const characters = matchers.reduce<number>((sum, matcher) => {
    const text = typeof matcher === 'string' ? matcher : matcher.prefix;
    const length = Token.isUnresolved(text) ? DEPLOY_TIME_ARN_CHARACTERS : JSON.stringify(stack.resolve(matcher)).length;
    return sum + length + 1;
  }, 0);
  // The pattern without its list: source, detail-type, eventSource, eventName and the keys, about 200 characters.
  const rest = 256;
  return characters + rest > EVENT_PATTERN_LIMIT ? undefined : matchers;
}
