import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { STATUS_FUNCTION_SUFFIX } from '../../lambda/config/environment';
import { InvalidInputError } from '../../lambda/errors';
import { handlerOf } from '../../scripts/function-bundle';
import type { OrchestratorPrincipal } from './invoke-permissions';
import { nagResourceText } from './nag-resource-text';
import { LAMBDA_FUNCTION_NAME_LIMIT, profileFunctionName } from './orchestrator-profiles';
import type { RotatorFunctionProps } from './rotator-function';
import { RotatorFunction } from './rotator-function';
import type { StatusSettings } from './status-environment';
import { buildStatusEnvironment } from './status-environment';

/**
 * 2 minutes: the check stops listing 10 seconds before its deadline (lambda/status/handle-status-request.ts), which
 * leaves 110 s for ListSecrets pages; 10,000 secrets take 100 pages, a round trip of tens of milliseconds each.
 */
export const STATUS_TIMEOUT = Duration.minutes(2);

/**
 * One at a time: the check walks every secret of the account and region, so two at once would only double the
 * ListSecrets calls (and their throttling); a second caller is throttled and may retry.
 */
export const STATUS_RESERVED_CONCURRENCY = 1;

/** Props of {@link StatusFunction}. */
export interface StatusFunctionProps {
  /** What every function shares: the code asset, the VPC and subnets, the security group, log retention. */
  readonly common: Omit<RotatorFunctionProps, 'handler' | 'description' | 'environment' | 'reservedConcurrentExecutions' | 'functionName' | 'memorySize' | 'timeout'>;
  /** The rotation function, whose secrets the check lists. */
  readonly rotationFunction: lambda.IFunction;
  /** Its environment beyond the rotation function's ARN. */
  readonly settings: Omit<StatusSettings, 'rotationFunctionArn'>;
  /**
   * The rotation function's fixed name, if any: this one is then `<functionName>-status`.
   * @default - generated
   */
  readonly functionName?: string;
  /** Who may invoke it besides the deployment's own schedule (`pg-rotator status`, dashboards, scripts). @default - none */
  readonly invokers?: readonly OrchestratorPrincipal[];
}

/**
 * The status function (`status.handler` on the shared code asset): answers `status` requests from Secrets Manager's
 * metadata. Its role may list secrets (ListSecrets, which has no resource type) and list the versions of the secrets
 * whose rotation function is this deployment's (ListSecretVersionIds, under the
 * `secretsmanager:resource/AllowRotationLambdaArn` condition); it reads no secret value and writes nothing. Only the
 * given invokers may invoke it through its resource policy; the schedule invokes it through a role of its own.
 */
export class StatusFunction extends Construct {
  /** The function, its role and log group. */
  readonly function: RotatorFunction;
  /** ListSecrets, on `*`. */
  readonly listSecrets: iam.Policy;
  /** ListSecretVersionIds, on the secrets this deployment rotates. */
  readonly pendingVersions: iam.Policy;
  /** One permission per invoker, in order. */
  readonly permissions: readonly lambda.CfnPermission[];

  constructor(scope: Construct, id: string, props: StatusFunctionProps) {
    super(scope, id);
    const name = profileFunctionName(props.functionName, STATUS_FUNCTION_SUFFIX);
    if (name !== undefined && name.length > LAMBDA_FUNCTION_NAME_LIMIT) {
      throw new InvalidInputError(
        'functionName',
        `makes the status function's name ${name} (${name.length} characters), over Lambda's ${LAMBDA_FUNCTION_NAME_LIMIT}; shorten functionName`,
      );
    }
    const rotationFunctionArn = props.rotationFunction.functionArn;
    this.function = new RotatorFunction(this, 'Function', {
      ...props.common,
      handler: handlerOf('status'),
      description: 'status checks of the secrets the rotation function rotates (metadata only, no secret value)',
      environment: buildStatusEnvironment({ ...props.settings, rotationFunctionArn }),
      memorySize: 256,
      timeout: STATUS_TIMEOUT,
      reservedConcurrentExecutions: STATUS_RESERVED_CONCURRENCY,
      functionName: name,
    });
    const role = this.function.role;

    this.listSecrets = new iam.Policy(this, 'ListSecrets', {
      roles: [role],
      statements: [new iam.PolicyStatement({ sid: 'ListSecrets', actions: ['secretsmanager:ListSecrets'], resources: ['*'] })],
    });
    Validations.of(this.listSecrets).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'secretsmanager:ListSecrets has no resource type (Service Authorization Reference), so "*" is the only valid Resource; it returns metadata (names, tags, rotation settings, staging labels), never a value. The status check lists the secrets whose rotation function is this deployment\'s: ListSecrets cannot filter on that, so it lists them all and keeps its own.',
    });

    // Any secret of this account and region, but only while its rotation function is this deployment's: secrets
    // attached from other stacks are checked too, and no other secret's versions can be listed.
    const stack = Stack.of(this);
    const anySecret = stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.pendingVersions = new iam.Policy(this, 'PendingVersions', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ListVersionsOfRotatedSecrets',
          actions: ['secretsmanager:ListSecretVersionIds'],
          resources: [anySecret],
          conditions: { ArnEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': rotationFunctionArn } },
        }),
      ],
    });
    Validations.of(this.pendingVersions).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceText(stack, anySecret)}]`,
      reason:
        "ListSecretVersionIds (metadata: version ids, labels, dates; never a value) on the secrets whose rotation function is this deployment's, by the secretsmanager:resource/AllowRotationLambdaArn condition: that includes secrets attached from other stacks, whose ARNs this stack cannot name.",
    });

    this.permissions = (props.invokers ?? []).map(
      (principal, index) =>
        new lambda.CfnPermission(this, `Invoker${index}`, {
          action: 'lambda:InvokeFunction',
          functionName: this.function.function.functionArn,
          principal: 'roleArn' in principal ? principal.roleArn : principal.accountId,
        }),
    );
  }
}
