import { notModelled } from './errors';

/**
 * What the local endpoint does not model, refused with NotImplementedException instead of being dropped: a test
 * that asked for a replica or a managed external secret would otherwise pass against behaviour the endpoint never
 * had. Operations of the API model that are missing here answer the same way, rather than UnknownOperationException,
 * which AWS would never send for them.
 */

/** Operations of the Secrets Manager API model the endpoint does not implement, and the feature each belongs to. */
export const NOT_MODELLED_OPERATIONS: Readonly<Record<string, string>> = {
  ReplicateSecretToRegions: 'replica regions',
  RemoveRegionsFromReplication: 'replica regions',
  StopReplicationToReplica: 'replica regions',
  GetResourcePolicy: 'resource policies',
  PutResourcePolicy: 'resource policies',
  DeleteResourcePolicy: 'resource policies',
  ValidateResourcePolicy: 'resource policies',
  BatchGetSecretValue: 'BatchGetSecretValue',
};

/** The request members that would need a feature the endpoint lacks. */
interface UnmodelledMembers {
  readonly AddReplicaRegions?: readonly unknown[] | undefined;
  readonly ForceOverwriteReplicaSecret?: boolean | undefined;
  readonly Type?: string | undefined;
  readonly ExternalSecretRotationMetadata?: readonly unknown[] | undefined;
  readonly ExternalSecretRotationRoleArn?: string | undefined;
}

/**
 * Refuses a request that asks for replicas (CreateSecret's AddReplicaRegions, ForceOverwriteReplicaSecret) or a
 * managed external secret (Type, ExternalSecretRotationMetadata, ExternalSecretRotationRoleArn). An empty
 * AddReplicaRegions or a false ForceOverwriteReplicaSecret asks for nothing and passes.
 *
 * @throws AwsApiError NotImplementedException naming the member.
 * @example
 * refuseUnmodelledMembers('CreateSecret', input);
 */
export function refuseUnmodelledMembers(operation: string, input: UnmodelledMembers): void {
  if ((input.AddReplicaRegions?.length ?? 0) > 0) throw notModelled(`${operation} with AddReplicaRegions`, 'replica regions');
  if (input.ForceOverwriteReplicaSecret === true) throw notModelled(`${operation} with ForceOverwriteReplicaSecret`, 'replica regions');
  for (const member of ['Type', 'ExternalSecretRotationMetadata', 'ExternalSecretRotationRoleArn'] as const) {
    if (input[member] !== undefined) throw notModelled(`${operation} with ${member}`, 'managed external secrets');
  }
}
