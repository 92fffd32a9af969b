import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Props of {@link AlertTopic}. */
export interface AlertTopicProps {
  /** Email addresses to subscribe (each must confirm). @default - none */
  readonly emailAddresses?: readonly string[];
}

/**
 * An SNS topic for rotation alerts: TLS-only (a topic policy denies `aws:SecureTransport=false`, cdk-nag SNS3)
 * and encrypted with its own rotating KMS key (SNS2). The AWS-managed `alias/aws/sns` key cannot be used here:
 * its key policy cannot be changed to let CloudWatch use it, so alarms could not publish.
 */
export class AlertTopic extends Construct {
  /** The topic. */
  readonly topic: sns.Topic;
  /** The topic's key. */
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    const { account, partition } = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: 'pg-rotator alert topic',
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish as the service itself, and publishing to an encrypted topic means generating
    // and decrypting data keys. (EventBridge publishes through an IAM role, which the key's account statement
    // already lets IAM policies authorise.)
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'pg-rotator alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default one, so same-account alarms need their own grant; limited to
    // alarms of this account and region.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${Stack.of(this).region}:${account}:alarm:*` },
        },
      }),
    );
    for (const address of props.emailAddresses ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }
  }
}
