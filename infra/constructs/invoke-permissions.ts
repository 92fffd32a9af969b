import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Who may invoke the orchestrator function: one role, or every principal of one account. */
export type OrchestratorPrincipal = { readonly roleArn: string } | { readonly accountId: string };

/** Props of {@link InvokePermissions}. */
export interface InvokePermissionsProps {
  /** The rotation function: Secrets Manager alone may invoke it. */
  readonly rotationFunction: lambda.IFunction;
  /** The orchestrator function, when deployed: the orchestrators alone may invoke it. */
  readonly orchestratorFunction?: lambda.IFunction;
  /** Orchestrators allowed to invoke the orchestrator function. @default - none */
  readonly orchestrators?: readonly OrchestratorPrincipal[];
}

/**
 * The two functions' resource policies, disjoint: nobody but Secrets Manager is given the rotation function, and
 * Secrets Manager is not given the orchestrator function.
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
  /** One permission per orchestrator, in order. */
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
    const orchestrator = props.orchestratorFunction;
    this.orchestrators =
      orchestrator === undefined
        ? []
        : (props.orchestrators ?? []).map(
            (principal, index) =>
              new lambda.CfnPermission(this, `Orchestrator${index}`, {
                action: 'lambda:InvokeFunction',
                functionName: orchestrator.functionArn,
                principal: 'roleArn' in principal ? principal.roleArn : principal.accountId,
              }),
          );
  }
}
