import { currentVersionId } from '../gate';
import type { RotationContext, StepOutcome } from '../rotation-context';
import { updateCompanionSecrets } from './update-companion-secrets';

/**
 * finishSecret: move AWSCURRENT to the pending version; Secrets Manager moves AWSPREVIOUS to the old one in the
 * same call. The gate already returned for a token that is AWSCURRENT, so a retry after this call succeeded
 * never gets here. AWSPENDING is left for Secrets Manager to clear, as AWS's functions do. Companion secrets, where
 * the deployment declared them, are written first (update-companion-secrets.ts).
 */
export async function finishSecret(ctx: RotationContext): Promise<StepOutcome> {
  const metadata = await ctx.admitted();
  const from = currentVersionId(metadata);
  const companions = await updateCompanionSecrets(ctx, metadata, from);
  await ctx.deps.store.promote(ctx.secretArn, ctx.token, from);
  ctx.reads.forgetRotation();
  return { strategy: 'n/a', changed: true, detail: `AWSCURRENT moved from version ${from}${companions}` };
}
