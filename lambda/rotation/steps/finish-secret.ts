import { RotationStateError } from '../../errors';
import { logsIn } from '../../postgres/connect';
import { currentVersionId } from '../gate';
import type { RotationContext, StepOutcome } from '../rotation-context';
import { bound, requirePending } from '../rotation-context';
import { connectionTarget, credentialsOf } from '../targets';
import { updateCompanionSecrets } from './update-companion-secrets';

/**
 * finishSecret: move AWSCURRENT to the pending version; Secrets Manager moves AWSPREVIOUS to the old one in the
 * same call. The gate already returned for a token that is AWSCURRENT, so a retry after this call succeeded
 * never gets here. AWSPENDING is left for Secrets Manager to clear, as AWS's functions do. Companion secrets, where
 * the deployment declared them, are written first (update-companion-secrets.ts).
 *
 * Whoever sent the event, the pending version must hold a value that logs in: AWSCURRENT never moves onto
 * Secrets Manager's empty placeholder (a finishSecret sent right after RotateSecret, before createSecret) or onto a
 * password the database never received. A container whose testSecret logged in with this very version relies on
 * that (versions never change); any other logs in itself first.
 */
export async function finishSecret(ctx: RotationContext): Promise<StepOutcome> {
  // The pending login must be one the deployment binds this secret to, as in every step.
  const pending = await bound(ctx, (await requirePending(ctx)).fields, 'pendingSecret');
  const checked = ctx.deps.memory.loggedIn(ctx.secretArn, ctx.token);
  if (!checked && !(await logsIn(connectionTarget(pending, ctx.deps.settings, 'pendingSecret'), credentialsOf(pending)))) {
    throw new RotationStateError(
      `version ${ctx.token} of secret ${ctx.secretArn} (role "${pending.username}") does not log in; refusing to make it AWSCURRENT (setSecret and testSecret must succeed first)`,
    );
  }
  const metadata = await ctx.admitted();
  const from = currentVersionId(metadata);
  const companions = await updateCompanionSecrets(ctx, metadata, from);
  await ctx.deps.store.promote(ctx.secretArn, ctx.token, from);
  ctx.reads.forgetRotation();
  return { strategy: 'n/a', changed: true, detail: `AWSCURRENT moved from version ${from}${checked ? '' : ' (pending login checked)'}${companions}` };
}
