import { RotationStateError } from '../errors';
import type { SecretMetadata } from '../secrets/secret-store';
import { AWSCURRENT, AWSPENDING, versionWithStage } from '../secrets/secret-store';

export type GateDecision = 'run' | 'already-current';

/**
 * AWS's pre-step gate (every AWS rotation template, before dispatching on Step): rotation disabled or an unknown
 * token is an error; a token already AWSCURRENT means an earlier run finished, so every step is a no-op; a token
 * that is not AWSPENDING belongs to no rotation in progress and must not be acted on.
 */
export function gate(metadata: SecretMetadata, token: string): GateDecision {
  if (metadata.rotationEnabled === false) {
    throw new RotationStateError(`secret ${metadata.arn} is not enabled for rotation`);
  }
  const stages = metadata.versionIdsToStages[token];
  if (stages === undefined) {
    throw new RotationStateError(`version ${token} of secret ${metadata.arn} has no stage for rotation`);
  }
  if (stages.includes(AWSCURRENT)) return 'already-current';
  if (!stages.includes(AWSPENDING)) {
    throw new RotationStateError(`version ${token} of secret ${metadata.arn} is not AWSPENDING`);
  }
  return 'run';
}

/** The version holding AWSCURRENT. */
export function currentVersionId(metadata: SecretMetadata): string {
  const versionId = versionWithStage(metadata.versionIdsToStages, AWSCURRENT);
  if (versionId === undefined) throw new RotationStateError(`secret ${metadata.arn} has no AWSCURRENT version`);
  return versionId;
}
