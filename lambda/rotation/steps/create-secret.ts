import { ENV } from '../../config/environment';
import type { RotationContext, StepOutcome } from '../rotation-context';
import { bound } from '../rotation-context';
import { awaitedLater } from '../awaited-later';
import { checkCompanionSecrets, companionSecretsOf, declaredIn } from '../companion-secrets';
import { pendingLogin, pendingSecretValue, resolveStrategy } from '../strategy';
import { connectionTarget } from '../targets';

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
  // The deployment's binding, not the value, says how to rotate: a value that disagrees is refused before anything is written.
  const fields = await bound(ctx, current.fields);
  const strategy = resolveStrategy(fields, ctx.deps.settings.env[ENV.defaultStrategy]);
  // Connection facts below the deployment's floors (an sslmode under MINIMUM_SSLMODE, a CA of its own where one is
  // pinned) are refused here, before any pending version exists, rather than at the first login.
  connectionTarget(fields, ctx.deps.settings);
  if (await pending) {
    return { strategy, changed: false, detail: 'pending version already holds a value' };
  }
  const login = pendingLogin(strategy, fields);
  const password = await ctx.deps.generatePassword();
  const value = JSON.stringify(pendingSecretValue(current.raw, login, password));
  const metadata = await ctx.admitted();
  // A companion declaration that does not fit is refused here, before any password changes (companion-secrets.ts).
  // The bound admin secret (fields), not the value's masterarn, which a bound secret may leave out.
  const logins = { secretArn: metadata.arn, adminArn: fields.masterarn, pendingUsername: login.username, currentUsername: current.fields.username };
  const sourced = await ctx.binding();
  checkCompanionSecrets(companionSecretsOf(sourced?.binding), logins, declaredIn(sourced));
  await ctx.deps.store.putPending(ctx.secretArn, ctx.token, value, ctx.rotationToken);
  ctx.reads.rememberPending(value);
  return { strategy, changed: true, detail: `pending version written for role "${login.username}"` };
}
