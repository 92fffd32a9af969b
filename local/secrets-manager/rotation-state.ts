import { randomUUID } from 'node:crypto';
import {
  AwsApiError,
  MARKED_FOR_DELETION_MESSAGE,
  PREVIOUS_ROTATION_INCOMPLETE_MESSAGE,
  invalidRequest,
} from './errors';
import type { RotationRules } from './rotation-rules';
import { nextRotationDate } from './rotation-rules';
import type { SecretRecord } from './secret-record';
import { checkClientRequestToken, removeVersion } from './secret-versions';
import { AWSCURRENT, AWSPENDING, detachLabel, moveLabel, pendingBlocksRotation, versionWithLabel } from './staging-labels';

/**
 * What RotateSecret and CancelRotateSecret do to a secret's state. Invoking the rotation function is the driver's
 * job (`rotation-driver.ts`); this module only decides whether a rotation may start and records how it ended.
 */

/** AWS's InvalidRequestException text when no rotation function is known. */
export const NO_ROTATION_FUNCTION_MESSAGE =
  "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call.";

/** What RotateSecret asks for, after its schema and rule validation. */
export interface RotateRequest {
  readonly clientRequestToken?: string | undefined;
  readonly rotationLambdaArn?: string | undefined;
  readonly rules?: RotationRules | undefined;
  /** RotateImmediately=false: Secrets Manager only tests the configuration, with testSecret. */
  readonly testOnly: boolean;
}

/** What the driver needs to run a rotation that `beginRotation` accepted. */
export interface RotationStart {
  readonly versionId: string;
  readonly lambdaArn: string;
}

/**
 * RotateSecret's checks, in the order the state change needs them, changing nothing:
 * 1. refuse a secret scheduled for deletion, and one with no rotation function, given or stored;
 * 2. refuse while a rotation runs (Secrets Manager's retries included) or AWSPENDING sits on a version other than
 *    AWSCURRENT's. The API reference makes no exception for the token of the rotation in progress: "If the
 *    AWSPENDING staging label is present but not attached to the same version as AWSCURRENT, then any later
 *    invocation of RotateSecret assumes that a previous rotation request is still in progress and returns an
 *    error." Secrets Manager retries that rotation itself ("That rotation will be reattempted"), so a repeated
 *    RotateSecret starts nothing;
 * 3. refuse a token that already names a version.
 * `operations.ts` then checks that the function can be invoked, and {@link beginRotation} applies.
 */
export function checkRotation(secret: SecretRecord, request: RotateRequest, running: boolean): RotationStart {
  if (secret.deletionDate) throw invalidRequest(MARKED_FOR_DELETION_MESSAGE);
  const token = request.clientRequestToken ?? randomUUID();
  checkClientRequestToken(token);
  const lambdaArn = request.rotationLambdaArn ?? secret.rotation?.lambdaArn;
  if (!lambdaArn) throw invalidRequest(NO_ROTATION_FUNCTION_MESSAGE);
  if (running || pendingBlocksRotation(secret.stages)) throw invalidRequest(PREVIOUS_ROTATION_INCOMPLETE_MESSAGE);
  if (secret.versions.has(token)) {
    throw new AwsApiError(
      'ResourceExistsException',
      `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`,
    );
  }
  return { versionId: token, lambdaArn };
}

/**
 * RotateSecret's state change, once {@link checkRotation} passed (it runs again here: the secret may have changed
 * while the function was checked):
 * 1. store the configuration and turn rotation on;
 * 2. create the version keyed by the token, labelled AWSPENDING. It holds no value for a rotation ("When rotation is
 *    unsuccessful, the AWSPENDING staging label might be attached to an empty secret version"): the function's
 *    createSecret fills it. For the RotateImmediately=false test it holds a copy of AWSCURRENT's value, which is what
 *    AWS gives testSecret there: moto's test of this case, run against AWS
 *    (test_rotate_secret_using_lambda_dont_rotate_immediately), saw GetSecretValue(VersionId=token,
 *    VersionStage=AWSPENDING) answer the current SecretString under a new VersionId labelled AWSPENDING.
 */
export function beginRotation(secret: SecretRecord, request: RotateRequest, running: boolean, now: Date): RotationStart {
  const start = checkRotation(secret, request, running);
  const rules = request.rules ?? secret.rotation?.rules;
  secret.rotation = {
    lambdaArn: start.lambdaArn,
    enabled: true,
    scheduleBase: secret.rotation?.scheduleBase ?? now,
    ...(rules ? { rules } : {}),
    ...(secret.rotation?.lastRotatedAt ? { lastRotatedAt: secret.rotation.lastRotatedAt } : {}),
  };
  const current = versionWithLabel(secret.stages, AWSCURRENT);
  const copied = request.testOnly && current !== undefined ? secret.versions.get(current)?.value : undefined;
  secret.versions.set(start.versionId, { id: start.versionId, createdAt: now, createdByRotation: true, ...(copied ? { value: copied } : {}) });
  secret.stages = moveLabel(secret.stages, AWSPENDING, start.versionId);
  secret.lastChangedAt = now;
  return start;
}

/** A rotation whose four steps all succeeded: the schedule restarts from now. */
export function recordRotationSuccess(secret: SecretRecord, now: Date): void {
  if (!secret.rotation) return;
  secret.rotation.lastRotatedAt = now;
  secret.rotation.scheduleBase = now;
}

/**
 * The end of a RotateImmediately=false test: "The test creates an AWSPENDING version of the secret and then removes
 * it." The label comes off, and the version goes too unless something else now labels it.
 */
export function discardTestVersion(secret: SecretRecord, versionId: string): void {
  const labels = secret.stages.get(versionId);
  if (labels === undefined || labels.includes(AWSCURRENT)) return;
  secret.stages = detachLabel(secret.stages, versionId, AWSPENDING);
  if ((secret.stages.get(versionId) ?? []).length === 0) removeVersion(secret, versionId);
}

/**
 * CancelRotateSecret: turns automatic rotation off. It leaves the labels exactly as they are, as the API reference
 * says ("You might need to remove the staging label AWSPENDING from the partially created version"), and answers
 * with that version's id when a rotation was left incomplete.
 *
 * @throws AwsApiError InvalidRequestException for a secret scheduled for deletion or never configured for rotation
 *   (the text moto takes from AWS's list of InvalidRequestException causes).
 */
export function cancelRotation(secret: SecretRecord, now: Date): { incompleteVersionId?: string } {
  if (secret.deletionDate) throw invalidRequest(MARKED_FOR_DELETION_MESSAGE);
  if (!secret.rotation) throw invalidRequest(NO_ROTATION_FUNCTION_MESSAGE);
  secret.rotation.enabled = false;
  secret.lastChangedAt = now;
  const pending = versionWithLabel(secret.stages, AWSPENDING);
  return pendingBlocksRotation(secret.stages) && pending !== undefined ? { incompleteVersionId: pending } : {};
}

/** DescribeSecret's NextRotationDate: only while rotation is on and a schedule exists. */
export function nextRotation(secret: SecretRecord): Date | undefined {
  const rotation = secret.rotation;
  if (!rotation?.enabled) return undefined;
  return nextRotationDate(rotation.rules, rotation.scheduleBase);
}
