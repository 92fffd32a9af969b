import { Annotations, Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Strategy } from '../../lambda/config/environment';
import { InvalidInputError } from '../../lambda/errors';
import { scheduleProblem } from '../config/schedule';
import { bindingOf } from './rotation-declarations';
import { RotationBindingTags, type RotationBindingFields } from './rotation-binding-tags';
import { COMPANION_WRITE_ACTIONS, COMPANION_WRITER_TAG, ROTATION_ACTIONS, tagCompanion } from './rotator-policies';

/** Props of {@link PgRotatorAttachment}. */
export interface PgRotatorAttachmentProps extends RotationBindingFields {
  /**
   * The secret to rotate, in this stack's account and region. A secret this stack creates is bound by its
   * `pg-rotator:*` tags; an imported secret can be attached only as a single-user rotation that names no login, which
   * needs no binding.
   */
  readonly secret: secretsmanager.ISecret;
  /**
   * The central rotation function's ARN, unqualified (no version or alias: the rotation function's policy matches the
   * secret's rotation function by this exact ARN). From the central stack's `RotationFunctionArn` output
   * (`Fn.importValue`), an SSM parameter (`ssm.StringParameter.valueForStringParameter`), or the ARN itself.
   */
  readonly rotationFunctionArn: string;
  /** `rate(N hours|days)` (at least 4 hours) or `cron(0 H DOM MON DOW *)`, UTC. */
  readonly schedule: string;
  /** The rotation window, `1h` to `24h`. @default - Secrets Manager's default */
  readonly window?: string;
  /** Rotate when the schedule is created or changed. @default true */
  readonly rotateImmediatelyOnUpdate?: boolean;
  /** @default - with adminSecret 'alternating' (what AWS's functions do with a masterarn), without 'single-user' */
  readonly strategy?: Strategy;
}

/**
 * Attaches a secret of this stack to a central pg-rotator deployment: its rotation schedule, naming the central
 * rotation function by ARN, and the `pg-rotator:*` tags that bind it (strategy, admin secret, logins), guarded by the
 * secret's resource policy. It changes nothing in the central stack and grants nothing: the central role's
 * condition-scoped policy already covers every secret whose rotation function is that function, and the central
 * function's resource policy admits Secrets Manager for every secret of its account and region.
 *
 * @example
 * new PgRotatorAttachment(this, 'AppRotation', {
 *   secret: appSecret,
 *   rotationFunctionArn: ssm.StringParameter.valueForStringParameter(this, '/pg-rotator/rotation-function-arn'),
 *   schedule: 'cron(0 3 ? * SUN *)', window: '2h',
 *   strategy: 'alternating', adminSecret: ordersAdmin, username: 'orders_app',
 * });
 */
export class PgRotatorAttachment extends Construct {
  /** The rotation schedule. */
  readonly schedule: secretsmanager.CfnRotationSchedule;
  /** The binding tags and their guard, when the rotation needs a binding. */
  readonly binding?: RotationBindingTags;

  constructor(scope: Construct, id: string, props: PgRotatorAttachmentProps) {
    super(scope, id);
    const problem = scheduleProblem(props.schedule, props.window);
    if (problem) throw new InvalidInputError(problem.field, problem.problem);
    checkFunctionArn(this, props.rotationFunctionArn);
    checkSameHome(this, 'secret', props.secret.secretArn);

    const declared = bindingOf('', props, undefined);
    const owned = props.secret instanceof secretsmanager.Secret ? props.secret : undefined;
    if (declared !== undefined) {
      if (owned === undefined) {
        throw new InvalidInputError(
          'secret',
          'is imported, and this stack can tag only the secrets it creates: attach it in the stack that defines it, or bind it there with RotationBindingTags',
        );
      }
      this.binding = new RotationBindingTags(this, 'Binding', {
        ...declared.binding,
        secret: owned,
        adminSecret: props.adminSecret,
        companionSecrets: props.companionSecrets,
        tagAdministrators: props.tagAdministrators,
        rotationRole: props.rotationRole,
      });
    } else if (props.rotationRole !== undefined) {
      if (owned === undefined) {
        throw new InvalidInputError(
          'rotationRole',
          "is for a secret this stack creates: an imported secret's resource policy is written where it is defined, so grant the role there (or use the deployment's default condition-scoped grants, which need none)",
        );
      }
      owned.addToResourcePolicy(new iam.PolicyStatement({ sid: 'PgRotatorRotation', principals: [props.rotationRole], actions: ROTATION_ACTIONS, resources: ['*'] }));
    }

    for (const [login, companion] of Object.entries(props.companionSecrets ?? {})) {
      if (companion === undefined) continue;
      // The binding's schema (bindingOf, above) has refused the rotated and the admin secret as companions.
      if (companion instanceof secretsmanager.Secret) {
        tagCompanion(companion, props.rotationFunctionArn);
        // A per-arn deployment lists no attached companion: its resource policy lets the role write it, as the secret's does.
        if (props.rotationRole !== undefined) {
          companion.addToResourcePolicy(
            new iam.PolicyStatement({ sid: 'PgRotatorCompanion', principals: [props.rotationRole], actions: COMPANION_WRITE_ACTIONS, resources: ['*'] }),
          );
        }
      } else {
        Annotations.of(this).addWarningV2(
          'pg-rotator:companionUntagged',
          `companionSecrets.${login} is imported: tag it ${COMPANION_WRITER_TAG}=<the rotation function's ARN> where it is defined${props.rotationRole === undefined ? '' : ', and grant rotationRole secretsmanager:DescribeSecret and PutSecretValue in its resource policy'}, or the rotation function cannot write it`,
        );
      }
    }

    this.schedule = new secretsmanager.CfnRotationSchedule(this, 'Schedule', {
      secretId: props.secret.secretArn,
      rotationLambdaArn: props.rotationFunctionArn,
      rotationRules: { scheduleExpression: props.schedule, duration: props.window },
      rotateImmediatelyOnUpdate: props.rotateImmediatelyOnUpdate ?? true,
    });
    // The tags' guard is in place before the first rotation reads the tags.
    const policy = owned?.node.tryFindChild('Policy');
    if (policy !== undefined) this.schedule.node.addDependency(policy);
  }
}

/**
 * A literal function ARN must be a Lambda function's, unqualified, in this stack's account and region: the rotation
 * function's resource policy admits Secrets Manager only for secrets of its own account and region, and its role's
 * condition compares the secret's rotation function with its own unqualified ARN.
 */
function checkFunctionArn(scope: Construct, functionArn: string): void {
  if (Token.isUnresolved(functionArn)) return;
  const parts = Arn.split(functionArn, ArnFormat.COLON_RESOURCE_NAME);
  if (parts.service !== 'lambda' || parts.resource !== 'function' || parts.resourceName === undefined) {
    throw new InvalidInputError('rotationFunctionArn', 'must be a Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>)');
  }
  if (parts.resourceName.includes(':')) {
    throw new InvalidInputError('rotationFunctionArn', "must be unqualified (no version or alias): the rotation function's grants match the secret's rotation function by its unqualified ARN");
  }
  checkSameHome(scope, 'rotationFunctionArn', functionArn);
}

/** An ARN known at synth must be in the stack's account and region, when the stack has them. */
function checkSameHome(scope: Construct, field: string, arn: string): void {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(arn) || Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) return;
  const parts = Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME);
  if (parts.account !== stack.account || parts.region !== stack.region) {
    throw new InvalidInputError(
      field,
      `is in ${parts.account}/${parts.region}, and this stack deploys to ${stack.account}/${stack.region}: a secret attaches to the rotation function of its own account and region (docs/fleet.md)`,
    );
  }
}
