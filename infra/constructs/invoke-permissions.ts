import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Who may invoke the orchestrator function: one role, or every principal of one account. */
export type OrchestratorPrincipal = { readonly roleArn: string } | { readonly accountId: string };

/** Props of {@link InvokePermissions}. */
export interface InvokePermissionsProps {
  /** The rotation function: Secrets Manager alone may invoke it. */
  readonly rotationFunction: lambda.IFunction;
  /**
   * Each orchestrator profile's function and the principals that alone may invoke it, with the id its permissions
   * are named by (`Orchestrator` for the `orchestrator` profile, as pg-rotator's one orchestrator had).
   * @default - none
   */
  readonly profiles?: readonly { readonly id: string; readonly function: lambda.IFunction; readonly orchestrators: readonly OrchestratorPrincipal[] }[];
}

/**
 * The functions' resource policies, disjoint: nobody but Secrets Manager is given the rotation function, Secrets
 * Manager is not given an orchestrator function, and each profile's principals are given that profile's function only.
 *
 * Secrets Manager may invoke the rotation function only for secrets of this account (`aws:SourceAccount`, the
 * confused-deputy guard AWS recommends for rotation functions and that CDK's `addRotationSchedule` leaves out,
 * aws/aws-cdk#28406) and of this region (`aws:SourceArn`). Secrets Manager sends the rotated secret's ARN as the
 * source ARN ("Permissions for rotation": with aws:SourceArn "the rotation function can only be used to rotate the
 * secret specified by that ARN"), and Lambda compares SourceArn with StringLike (AddPermission API reference,
 * SourceArn), so `secret:*` of this account and region lets one function serve every secret it is attached to,
 * those attached from other stacks included, and no secret elsewhere.
 */
export class InvokePermissions extends Construct {
  /** The Secrets Manager permission; rotation schedules must depend on it. */
  readonly secretsManager: lambda.CfnPermission;
  /** One permission per orchestrator of each profile, in order. */
  readonly orchestrators: readonly lambda.CfnPermission[];

  constructor(scope: Construct, id: string, props: InvokePermissionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.secretsManager = new lambda.CfnPermission(this, 'SecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: props.rotationFunction.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: stack.account,
      sourceArn: stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    });
    this.orchestrators = (props.profiles ?? []).flatMap((profile) =>
      profile.orchestrators.map(
        (principal, index) =>
          new lambda.CfnPermission(this, `${profile.id}${index}`, {
            action: 'lambda:InvokeFunction',
            functionName: profile.function.functionArn,
            principal: 'roleArn' in principal ? principal.roleArn : principal.accountId,
          }),
      ),
    );
  }
}
