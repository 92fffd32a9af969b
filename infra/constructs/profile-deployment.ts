import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { handlerOf } from '../../scripts/function-bundle';
import { ExpirySchedules } from './expiry-schedules';
import type { FunctionSettings } from './function-environment';
import { buildFunctionEnvironment } from './function-environment';
import { policyJson } from './orchestration-access';
import { OrchestratorPolicies } from './orchestrator-policies';
import type { ResolvedProfile } from './orchestrator-profiles';
import { effectiveExpiry, profileFunctionName, profilePartId } from './orchestrator-profiles';
import { secretArnOf } from './secret-arns';
import type { RotatorFunctionProps } from './rotator-function';
import { RotatorFunction } from './rotator-function';
import { RotatorPolicies } from './rotator-policies';

/** What one profile deploys. */
export interface DeployedProfile {
  readonly name: string;
  /** Its function, role and log group. */
  readonly function: RotatorFunction;
  /** Its grants on secrets (and ListSecrets where tags bind). */
  readonly policies: OrchestratorPolicies;
  /** Its expire-temporary-users schedules, when its policy enables the action. */
  readonly expiry?: ExpirySchedules;
}

/** What every profile's function shares: the code, the network, the deployment-wide settings. */
export interface ProfileDeploymentInput {
  readonly profile: ResolvedProfile;
  /** The function props every orchestrator function shares (code, VPC, security group, memory, timeout, logs). */
  readonly common: Omit<RotatorFunctionProps, 'handler' | 'description' | 'environment' | 'reservedConcurrentExecutions' | 'functionName'>;
  /** The settings of the deployment's environment (password, connection, logging); each profile adds its own. */
  readonly settings: Pick<FunctionSettings, 'password' | 'connection' | 'logLevel' | 'metricsNamespace' | 'secretsManagerEndpointUrl'>;
  /** Whether this profile's inline rotations are bound by tags (ROTATION_BINDING_TAGS). */
  readonly inlineTagged: boolean;
  /** Whether any secret of the deployment is bound by tags: then every profile protects their roles. */
  readonly tagsBind: boolean;
  /** The rotation function, which `rotate` requests in mode secrets-manager make Secrets Manager invoke. */
  readonly rotationFunction: lambda.IFunction;
  readonly functionName?: string;
  readonly reservedConcurrentExecutions: number;
  readonly allowRandomPassword: boolean;
}

/**
 * Deploys one orchestrator profile in `scope` (the PgRotator): its function, with a role holding only this profile's
 * grants, an environment holding only its policy, prefix and admin allow list, and its expiry schedules. Each part's
 * construct id comes from {@link profilePartId}, so the `orchestrator` profile keeps the resources pg-rotator's one
 * orchestrator function had.
 */
export function deployProfile(scope: Construct, input: ProfileDeploymentInput): DeployedProfile {
  const { profile } = input;
  const id = (part: string) => profilePartId(part, profile.name);
  const inlineAdmins = (profile.inlineRotations ?? []).flatMap((rotation) => (rotation.adminSecret ? [rotation.adminSecret] : []));
  const fn = new RotatorFunction(scope, id('Orchestrator'), {
    ...input.common,
    handler: handlerOf('orchestrator'),
    description: `orchestrator requests and Pulumi ESC events on PostgreSQL roles, ${profile.name} profile (no rotation steps)`,
    environment: buildFunctionEnvironment({
      ...input.settings,
      passwordSecretPrefix: profile.passwordSecrets?.namePrefix,
      adminSecretArns: [...(profile.adminSecrets ?? []), ...inlineAdmins].map(secretArnOf),
      rotationBindingTags: input.inlineTagged,
      protectTagBoundRoles: input.tagsBind,
      // Only orchestrator requests act under the permission policy; the rotation function never reads it.
      permissionPolicy: profile.policy === undefined ? undefined : policyJson(profile.policy, `${profile.field}.policy`),
      profile: profile.name,
    }),
    reservedConcurrentExecutions: profile.reservedConcurrentExecutions ?? input.reservedConcurrentExecutions,
    functionName: profileFunctionName(input.functionName, profile.name),
  });
  if (input.allowRandomPassword) {
    new RotatorPolicies(scope, id('OrchestratorPasswords'), { role: fn.role, rotatedSecrets: [], adminSecrets: [], allowRandomPassword: true });
  }
  const policies = new OrchestratorPolicies(scope, id('Orchestration'), {
    role: fn.role,
    rotationFunction: input.rotationFunction,
    access: profile,
    listTagBoundSecrets: input.tagsBind,
  });
  const expiry = effectiveExpiry(profile);
  return {
    name: profile.name,
    function: fn,
    policies,
    expiry: expiry === undefined ? undefined : new ExpirySchedules(scope, id('Expiry'), { function: fn.function, profile: profile.name, expiry }),
  };
}
