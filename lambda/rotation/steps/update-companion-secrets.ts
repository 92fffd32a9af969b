import { RotationStateError } from '../../errors';
import type { DatabaseSecret, ParsedSecret } from '../../secrets/secret-format';
import { DatabaseSecretSchema, parseSecretString } from '../../secrets/secret-format';
import type { SecretMetadata } from '../../secrets/secret-store';
import { companionSecretsOf, companionValue, declaredIn, planCompanionWrites } from '../companion-secrets';
import type { RotationContext } from '../rotation-context';
import { requirePending } from '../rotation-context';

/**
 * finishSecret's first part, when the deployment declared companion secrets (companion-secrets.ts): each companion
 * gets the version of its login, written as its AWSCURRENT under that version's id. A companion already holding that
 * id is left alone, so a retry after any failure writes only what is missing. Runs before AWSCURRENT moves: once it
 * has, the gate makes every retry a no-op and a companion not yet written would stay behind.
 *
 * @returns a few words for the step's log line (counts, never a value).
 */
export async function updateCompanionSecrets(ctx: RotationContext, metadata: SecretMetadata, currentVersionId: string): Promise<string> {
  const sourced = await ctx.binding();
  const declared = companionSecretsOf(sourced?.binding);
  if (declared.length === 0) return '';
  const [pending, current] = await Promise.all([requirePending(ctx), versionValue(ctx, currentVersionId)]);
  const writes = planCompanionWrites(
    declared,
    {
      secretArn: metadata.arn,
      adminArn: sourced?.binding.adminSecretArn,
      pending: { versionId: ctx.token, username: pending.fields.username, raw: pending.raw },
      current: { versionId: currentVersionId, username: current.fields.username, raw: current.raw },
    },
    declaredIn(sourced),
  );
  // One after the other, in the declaration's order: a retry, and the fault-injection suite, meet the same calls.
  let count = 0;
  for (const { secretArn, version } of writes) {
    const companion = await ctx.deps.store.describe(secretArn);
    if (companion.versionIdsToStages[version.versionId] !== undefined) continue;
    await ctx.deps.store.putCurrent(secretArn, version.versionId, companionValue(version.raw));
    count += 1;
  }
  return `; companion secrets: ${count} written, ${writes.length - count} already up to date`;
}

/**
 * The current version by its id, not by label: exact, since a version's value never changes, whatever moved the
 * label meanwhile. From this container's memory when it has it.
 */
async function versionValue(ctx: RotationContext, versionId: string): Promise<ParsedSecret<DatabaseSecret>> {
  const secretString = ctx.deps.memory.valueOf(ctx.secretArn, versionId) ?? (await ctx.deps.store.find(ctx.secretArn, { versionId }))?.secretString;
  if (secretString === undefined) throw new RotationStateError(`version ${versionId} of secret ${ctx.secretArn} has no value`);
  return parseSecretString(secretString, DatabaseSecretSchema, 'secret');
}
