import { ENV } from '../../config/environment';
import type { RotationContext, StepOutcome } from '../rotation-context';
import { awaitedLater } from '../awaited-later';
import { checkCompanionSecrets, companionBindingFromTags, companionSecretsOf } from '../companion-secrets';
import { pendingLogin, pendingSecretValue, resolveStrategy } from '../strategy';

/**
 * createSecret: write the pending version, once per token. A retry finds the value already there and leaves
 * it, so a password is generated at most once per rotation (and PutSecretValue is idempotent per token and
 * value besides). Every key of the current secret is copied unchanged but the password and, when
 * alternating, the login.
 */
export async function createSecret(ctx: RotationContext): Promise<StepOutcome> {
  // Both reads at once; AWSCURRENT's failure, and then its strategy's, is reported before the pending version's.
  const pending = awaitedLater(ctx.reads.pending());
  const current = await ctx.reads.current();
  const strategy = resolveStrategy(current.fields, ctx.deps.settings.env[ENV.defaultStrategy]);
  if (await pending) {
    return { strategy, changed: false, detail: 'pending version already holds a value' };
  }
  const login = pendingLogin(strategy, current.fields);
  const password = await ctx.deps.generatePassword();
  const value = JSON.stringify(pendingSecretValue(current.raw, login, password));
  const metadata = await ctx.admitted();
  // A companion declaration that does not fit is refused here, before any password changes (companion-secrets.ts).
  const logins = { secretArn: metadata.arn, adminArn: current.fields.masterarn, pendingUsername: login.username, currentUsername: current.fields.username };
  checkCompanionSecrets(companionSecretsOf(companionBindingFromTags(metadata.tags), 'tags'), logins, 'tags');
  await ctx.deps.store.putPending(ctx.secretArn, ctx.token, value, ctx.rotationToken);
  ctx.reads.rememberPending(value);
  return { strategy, changed: true, detail: `pending version written for role "${login.username}"` };
}
