import { DefaultStackSynthesizer, Fn, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Strategy } from '../../lambda/config/environment';
import { InvalidInputError } from '../../lambda/errors';
import { BINDING_TAG_PREFIX, BINDING_TAGS } from '../../lambda/rotation/binding-tags';
import { ROTATION_ACTIONS } from './rotator-policies';
import { optionalSecretArn } from './secret-arns';
import type { SecretBinding } from './secret-binding';

/** A secret's binding as tags carry it ({@link SecretBinding} but its strategy), and who guards those tags. */
export interface RotationBindingFields extends Omit<SecretBinding, 'strategy'> {
  /**
   * Who may still change `pg-rotator:*` tags and the secret's resource policy: IAM principal ARNs (roles, as
   * aws:PrincipalArn names them).
   * @default - the stack's CloudFormation execution role (DefaultStackSynthesizer); required with any other synthesizer
   */
  readonly tagAdministrators?: readonly string[];
  /**
   * The rotation function's role, when it lives in another stack and the deployment lists its secrets by ARN
   * (`secretGrants: 'per-arn'`): the secret's resource policy then grants it the rotation calls (a same-account
   * resource policy needs no identity policy beside it). With the default condition-scoped grants nothing is needed.
   * @default - no grant here
   */
  readonly rotationRole?: iam.IRole;
}

/** Props of {@link RotationBindingTags}. */
export interface RotationBindingTagsProps extends RotationBindingFields {
  /** A secret this stack owns: its tags and its resource policy are written here. */
  readonly secret: secretsmanager.Secret;
  readonly strategy: Strategy;
}

/**
 * Binds a secret by tags, for pg-rotator's rotation function to read from the gate's DescribeSecret: the
 * `pg-rotator:*` tags of its strategy, admin secret, owner role and logins, on a secret of this stack. Tags bind only
 * as far as nobody else can set them, so the secret's resource policy denies TagResource and UntagResource of any
 * `pg-rotator:*` key (aws:TagKeys, which Secrets Manager evaluates for both; Service Authorization Reference,
 * "Actions, resources, and condition keys for AWS Secrets Manager") to every principal but the tag administrators,
 * and denies them changing that policy. An SCP should say the same for the whole organization
 * (docs/threat-model.md): a resource policy binds only this secret, and a principal with CreateSecret could
 * make a new one with pg-rotator tags.
 *
 * @example
 * new RotationBindingTags(this, 'AppBinding', { secret: appSecret, strategy: 'alternating', adminSecret, username: 'app' });
 */
export class RotationBindingTags extends Construct {
  constructor(scope: Construct, id: string, props: RotationBindingTagsProps) {
    super(scope, id);
    const values: Partial<Record<keyof typeof BINDING_TAGS, string>> = {
      strategy: props.strategy,
      adminSecretArn: optionalSecretArn(props.adminSecret),
      ownerRole: props.ownerRole,
      username: props.username,
      alternateUsername: props.alternateUsername,
      usernameCompanionSecretArn: optionalSecretArn(props.companionSecrets?.username),
      alternateUsernameCompanionSecretArn: optionalSecretArn(props.companionSecrets?.alternateUsername),
    };
    for (const [field, tag] of Object.entries(BINDING_TAGS) as [keyof typeof BINDING_TAGS, string][]) {
      const value = values[field];
      if (value !== undefined) Tags.of(props.secret).add(tag, value);
    }

    const administrators = props.tagAdministrators ?? defaultAdministrators(this);
    const notAdministrator = { ArnNotEquals: { 'aws:PrincipalArn': administrators } };
    const statements = [
      new iam.PolicyStatement({
        sid: 'PgRotatorBindingTagsByDeployerOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['secretsmanager:TagResource', 'secretsmanager:UntagResource'],
        resources: ['*'],
        conditions: { 'ForAnyValue:StringLike': { 'aws:TagKeys': `${BINDING_TAG_PREFIX}*` }, ...notAdministrator },
      }),
      new iam.PolicyStatement({
        sid: 'PgRotatorPolicyByDeployerOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy'],
        resources: ['*'],
        conditions: notAdministrator,
      }),
    ];
    if (props.rotationRole) {
      statements.push(
        new iam.PolicyStatement({ sid: 'PgRotatorRotation', principals: [props.rotationRole], actions: ROTATION_ACTIONS, resources: ['*'] }),
      );
    }
    for (const statement of statements) props.secret.addToResourcePolicy(statement);
  }
}

/** The role CloudFormation deploys this stack with, as the default synthesizer names it (with `${AWS::Partition}`). */
function defaultAdministrators(scope: Construct): string[] {
  const synthesizer = Stack.of(scope).synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new InvalidInputError('tagAdministrators', 'is required with a stack synthesizer other than DefaultStackSynthesizer: name the principals that deploy this stack');
  }
  return [Fn.sub(synthesizer.cloudFormationExecutionRoleArn)];
}
