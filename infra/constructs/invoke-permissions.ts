import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Who may invoke the function for actions and tests: one role, or every principal of one account. */
export type OrchestratorPrincipal = { readonly roleArn: string } | { readonly accountId: string };

/** Props of {@link InvokePermissions}. */
export interface InvokePermissionsProps {
  /** The rotation function. */
  readonly function: lambda.IFunction;
  /** Orchestrators allowed to invoke the function. @default - none: only Secrets Manager may invoke it */
  readonly orchestrators?: readonly OrchestratorPrincipal[];
}

/**
 * The function's resource policy. Secrets Manager may invoke it only for secrets of this account
 * (`aws:SourceAccount`, the confused-deputy guard AWS recommends for rotation functions and that CDK's
 * `addRotationSchedule` leaves out, aws/aws-cdk#28406). No SourceArn, so one function serves many secrets, as
 * AWS's docs advise. Orchestrators get exactly the principals listed, and nothing when none are.
 */
export class InvokePermissions extends Construct {
  /** The Secrets Manager permission; rotation schedules must depend on it. */
  readonly secretsManager: lambda.CfnPermission;
  /** One permission per orchestrator, in order. */
  readonly orchestrators: readonly lambda.CfnPermission[];

  constructor(scope: Construct, id: string, props: InvokePermissionsProps) {
    super(scope, id);
    this.secretsManager = new lambda.CfnPermission(this, 'SecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: props.function.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Stack.of(this).account,
    });
    this.orchestrators = (props.orchestrators ?? []).map(
      (orchestrator, index) =>
        new lambda.CfnPermission(this, `Orchestrator${index}`, {
          action: 'lambda:InvokeFunction',
          functionName: props.function.functionArn,
          principal: 'roleArn' in orchestrator ? orchestrator.roleArn : orchestrator.accountId,
        }),
    );
  }
}
