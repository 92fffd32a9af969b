import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import '../schema-messages';
import { RotationStateError, SecretsManagerError } from '../errors';
import { currentVersionId } from '../rotation/gate';
import type { RotationContext, RotationDeps, StepOutcome } from '../rotation/rotation-context';
import { bindingOf, secretReads } from '../rotation/rotation-context';
import type { RotationStep } from '../rotation/rotation-event';
import { createSecret } from '../rotation/steps/create-secret';
import { finishSecret } from '../rotation/steps/finish-secret';
import { setSecret } from '../rotation/steps/set-secret';
import { testSecret } from '../rotation/steps/test-secret';
import { AWSPENDING, rotationInProgress } from '../secrets/secret-store';
import type { SecretsManager } from '../secrets/secrets-manager-client';
import { NO_MEMORY } from '../secrets/version-memory';
import { CallerSchema } from './caller';
import { SecretIdSchema } from './request-target';

/** A `rotate` request: rotate one secret now. */
export const RotateRequestSchema = z
  .strictObject({
    kind: z.literal('rotate'),
    secretId: SecretIdSchema.check(z.meta({ description: 'The database secret to rotate (AWS RDS format).' })),
    mode: z._default(z.enum(['inline', 'secrets-manager']), 'inline').check(
      z.meta({
        description:
          'inline: run createSecret, setSecret, testSecret and finishSecret here, now (for secrets without Secrets Manager rotation); secrets-manager: call RotateSecret, which invokes the configured rotation function.',
      }),
    ),
    caller: z.optional(CallerSchema),
  })
  .check(z.meta({ title: 'rotate' }));
export type RotateRequest = z.infer<typeof RotateRequestSchema>;

/** What a rotate request did. */
export const RotateResultSchema = z.object({
  secretId: z.string(),
  mode: z.enum(['inline', 'secrets-manager']),
  versionId: z.string().check(z.meta({ description: 'The version that is (inline) or will become (secrets-manager) AWSCURRENT.' })),
  steps: z.array(z.object({ step: z.string(), changed: z.boolean(), detail: z.string() })),
}).register(z.globalRegistry, { id: 'RotateResult' });
export type RotateResult = z.infer<typeof RotateResultSchema>;

const STEPS: readonly [RotationStep, (ctx: RotationContext) => Promise<StepOutcome>][] = [
  ['createSecret', createSecret],
  ['setSecret', setSecret],
  ['testSecret', testSecret],
  ['finishSecret', finishSecret],
];

/**
 * Inline rotation runs the rotation's own four steps in order, in this invocation. Secrets Manager's pre-step
 * gate is replaced by the equivalent check here: RotateSecret would create the AWSPENDING version the gate looks
 * for, and inline there is no RotateSecret. An interrupted inline rotation leaves its AWSPENDING version, and the
 * next inline request resumes it with the same token (every step is idempotent per token); a completed one
 * removes AWSPENDING, which Secrets Manager would otherwise do.
 */
export async function runRotateRequest(
  request: RotateRequest,
  deps: RotationDeps & { readonly rotationCalls: SecretRotationCalls },
): Promise<RotateResult> {
  if (request.mode === 'secrets-manager') {
    const versionId = await deps.rotationCalls.rotateSecret(request.secretId);
    const metadata = await deps.store.describe(request.secretId);
    return { secretId: metadata.arn, mode: 'secrets-manager', versionId, steps: [] };
  }
  const metadata = await deps.store.describe(request.secretId);
  if (metadata.rotationEnabled === true) {
    throw new RotationStateError(`secret ${metadata.arn} has Secrets Manager rotation enabled; rotate it with mode "secrets-manager" so the two cannot overlap`);
  }
  // Fails early, naming the secret, when there is nothing to rotate from.
  const token = rotationInProgress(metadata.versionIdsToStages) ?? inlineToken(metadata.arn, currentVersionId(metadata));
  const log = deps.log.child({ secretArn: metadata.arn, clientRequestToken: token, mode: 'inline' });
  const steps: RotateResult['steps'] = [];
  const binding = bindingOf(deps, metadata.arn, Promise.resolve(metadata));
  for (const [step, run] of STEPS) {
    // Fresh reads per step: they are memoized, and each step changes what the next one reads. The check above
    // stands in for the gate, so every step is admitted at once.
    const reads = secretReads(deps.store, NO_MEMORY, metadata.arn, token);
    const admitted = () => Promise.resolve(metadata);
    const outcome = await run({ deps: { ...deps, log }, secretArn: metadata.arn, token, rotationToken: undefined, admitted, binding: () => binding, reads });
    log.info(`${step}: ${outcome.detail}`, { step, strategy: outcome.strategy, changed: outcome.changed });
    steps.push({ step, changed: outcome.changed, detail: outcome.detail });
  }
  await deps.rotationCalls.clearPending(metadata.arn, token);
  return { secretId: metadata.arn, mode: 'inline', versionId: token, steps };
}

/** The two Secrets Manager calls rotate requests make beyond the rotation's own. */
export interface SecretRotationCalls {
  /** RotateSecret with the secret's configured function and schedule; returns the new version id. */
  rotateSecret(secretId: string): Promise<string>;
  /** Removes AWSPENDING from a version that is AWSCURRENT, ending an inline rotation. */
  clearPending(secretId: string, versionId: string): Promise<void>;
}

/** {@link SecretRotationCalls} on the function's Secrets Manager client. */
export function secretRotationCalls(client: SecretsManager): SecretRotationCalls {
  return {
    async rotateSecret(secretId) {
      const out = await client.call('RotateSecret', { SecretId: secretId });
      if (!out.VersionId) throw new SecretsManagerError('RotateSecret', 'EmptyResponse', 'returned no version id');
      return out.VersionId;
    },
    async clearPending(secretId, versionId) {
      await client.call('UpdateSecretVersionStage', { SecretId: secretId, VersionStage: AWSPENDING, RemoveFromVersionId: versionId });
    },
  };
}

/**
 * The token of an inline rotation starting from one AWSCURRENT version, the same for every request: two racing
 * inline rotations of one secret then become one rotation (PutSecretValue is idempotent per token), where random
 * tokens would let the later one move AWSPENDING off a password the database already holds.
 */
export function inlineToken(secretArn: string, fromVersionId: string): string {
  const hex = createHash('sha256').update(`pg-rotator inline rotation\0${secretArn}\0${fromVersionId}`).digest('hex');
  // Shaped as a UUID (version 5 and RFC 4122 variant bits), as Secrets Manager's own tokens are.
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
