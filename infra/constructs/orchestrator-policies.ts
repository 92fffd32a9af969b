import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { OrchestrationAccess } from './orchestration-access';
import { ROTATION_ACTIONS, secretKeyStatements, unique, viaSecretsManager } from './rotator-policies';
import { secretPolicyResource } from './secret-arns';
import { nagResourceText } from './nag-resource-text';

/**
 * The calls actions make on password secrets (lambda/actions/action-secrets.ts): DescribeSecret and GetSecretValue
 * to inspect the secret and read a version, PutSecretValue for a new AWSCURRENT version, UpdateSecretVersionStage
 * to move AWSCURRENT back (restore-password, undo), DeleteSecret (drop-user's deleteSecretName, 30-day window; a
 * create undone after a failed COMMIT is force-deleted), RestoreSecret (a delete undone). CreateSecret is granted
 * apart, with its name condition. No TagResource: actions create secrets without tags.
 */
export const PASSWORD_SECRET_ACTIONS = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:DeleteSecret',
  'secretsmanager:RestoreSecret',
];

/** Props of {@link OrchestratorPolicies}. */
export interface OrchestratorPoliciesProps {
  /** The orchestrator function's role. */
  readonly role: iam.IRole;
  /** The rotation function: `rotate` requests in mode `secrets-manager` make Secrets Manager invoke it. */
  readonly rotationFunction: lambda.IFunction;
  /** What orchestrator requests may use, already checked by `validateProfiles`. */
  readonly access: OrchestrationAccess;
  /**
   * Let the function list the secrets bound by `pg-rotator:*` tags (ListSecrets), to protect their rotated roles
   * (PROTECT_TAG_BOUND_ROLES). @default false
   */
  readonly listTagBoundSecrets?: boolean;
}

/**
 * The orchestrator function's grants, in two policies: `RequestAccess` names every secret it covers,
 * and `PasswordSecrets` covers one name prefix, the only wildcard, acknowledged on that policy alone. Nothing is
 * created for an empty part, so a deployment without orchestration has none of these statements.
 */
export class OrchestratorPolicies extends Construct {
  /** Reads of admin and connection secrets, inline rotation, RotateSecret. Absent when none is configured. */
  readonly requestAccess?: iam.Policy;
  /** The password secrets under the name prefix. Absent without `passwordSecrets`. */
  readonly passwordSecrets?: iam.Policy;
  /** ListSecrets, for the rotated roles of tag-bound secrets. Absent unless asked. */
  readonly tagBoundRoles?: iam.Policy;

  constructor(scope: Construct, id: string, props: OrchestratorPoliciesProps) {
    super(scope, id);
    const requestStatements = this.requestStatements(props);
    if (requestStatements.length > 0) {
      this.requestAccess = new iam.Policy(this, 'RequestAccess', {
        roles: [props.role],
        statements: requestStatements,
      });
    }
    if (props.listTagBoundSecrets === true) {
      this.tagBoundRoles = this.listTagBound(props.role);
    }
    const passwordSecrets = props.access.passwordSecrets;
    if (passwordSecrets) {
      const stack = Stack.of(this);
      const underPrefix = stack.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${passwordSecrets.namePrefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      const statements = [
        new iam.PolicyStatement({
          sid: 'ManagePasswordSecrets',
          actions: PASSWORD_SECRET_ACTIONS,
          resources: [underPrefix],
        }),
        // The resource already limits the name; the condition states it on the request too, as AWS documents
        // secretsmanager:Name for CreateSecret ("the friendly name of the secret in the request").
        new iam.PolicyStatement({
          sid: 'CreatePasswordSecrets',
          actions: ['secretsmanager:CreateSecret'],
          resources: [underPrefix],
          conditions: { StringLike: { 'secretsmanager:Name': `${passwordSecrets.namePrefix}*` } },
        }),
      ];
      if (passwordSecrets.encryptionKey) {
        // CreateSecret and PutSecretValue need GenerateDataKey, GetSecretValue needs Decrypt (API reference).
        statements.push(
          new iam.PolicyStatement({
            sid: 'PasswordSecretKey',
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: [passwordSecrets.encryptionKey.keyArn],
            conditions: viaSecretsManager(this),
          }),
        );
      }
      this.passwordSecrets = new iam.Policy(this, 'PasswordSecrets', { roles: [props.role], statements });
      Validations.of(this.passwordSecrets).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResourceText(stack, underPrefix)}]`,
        reason:
          'Secrets that actions create do not exist at deploy time, so they are granted by their configured name prefix; the prefix ends in "/", no other secret of the deployment may use it, and the function is given it as PASSWORD_SECRET_PREFIX.',
      });
    }
  }

  /**
   * ListSecrets has no resource type (Service Authorization Reference), so its one statement names "*", in a policy
   * of its own where that finding is acknowledged. It reads metadata (names, tags, rotation settings), never a value.
   */
  private listTagBound(role: iam.IRole): iam.Policy {
    const policy = new iam.Policy(this, 'TagBoundRoles', {
      roles: [role],
      statements: [new iam.PolicyStatement({ sid: 'ListTagBoundSecrets', actions: ['secretsmanager:ListSecrets'], resources: ['*'] })],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'secretsmanager:ListSecrets has no resource type, so "*" is the only valid Resource; it returns metadata, never a value. The function lists the secrets bound by pg-rotator:* tags to protect their rotated logins and owner roles from orchestrator actions (PROTECT_TAG_BOUND_ROLES), only where the deployment binds secrets by tags.',
    });
    return policy;
  }

  private requestStatements(props: OrchestratorPoliciesProps): iam.PolicyStatement[] {
    const access = props.access;
    const inline = access.inlineRotations ?? [];
    const inlineSecrets = inline.map((rotation) => rotation.secret);
    const readSecrets = [
      ...(access.adminSecrets ?? []),
      ...(access.connectionSecrets ?? []),
      ...inline.flatMap((rotation) => (rotation.adminSecret ? [rotation.adminSecret] : [])),
    ];
    const handedOver = access.secretsManagerRotations ?? [];
    const statements: iam.PolicyStatement[] = [];
    if (readSecrets.length > 0) {
      // Requests read these with GetSecretValue only (request-target.ts resolveConnection, and rotation's
      // masterarn read); nothing describes or writes them.
      statements.push(
        new iam.PolicyStatement({
          sid: 'ReadRequestSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: unique(readSecrets.map(secretPolicyResource)),
        }),
      );
    }
    if (inlineSecrets.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'RotateInline',
          actions: ROTATION_ACTIONS,
          resources: unique(inlineSecrets.map(secretPolicyResource)),
        }),
      );
    }
    if (handedOver.length > 0) {
      const functionArn = props.rotationFunction.functionArn;
      // Only while the secret's rotation function is pg-rotator's: RotateSecret then makes Secrets Manager invoke it.
      statements.push(
        new iam.PolicyStatement({
          sid: 'StartSecretsManagerRotation',
          actions: ['secretsmanager:RotateSecret'],
          resources: unique(handedOver.map(secretPolicyResource)),
          conditions: { ArnEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': functionArn } },
        }),
        // RotateSecret's API reference: "You also need lambda:InvokeFunction permissions on the rotation function."
        new iam.PolicyStatement({ sid: 'InvokeRotationFunction', actions: ['lambda:InvokeFunction'], resources: [functionArn] }),
      );
    }
    statements.push(
      ...secretKeyStatements(this, {
        written: { sid: 'InlineRotationKeys', secrets: inlineSecrets },
        read: { sid: 'RequestSecretKeys', secrets: readSecrets },
      }),
    );
    return statements;
  }
}
