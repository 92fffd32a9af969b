import type { Declarations } from '../config/declarations';
import type { Strategy } from '../config/environment';
import { ENV } from '../config/environment';
import type { RotationBinding } from '../config/rotation-bindings';
import { InvalidInputError } from '../errors';
import type { DatabaseSecret } from '../secrets/secret-format';
import { sameSecret } from '../secrets/secret-arn';
import { BINDING_TAGS } from './binding-tags';
import { cloneUsername } from './strategy';

/** Where a secret's binding came from, for messages: the deployment's file, or the secret's own tags. */
export type BindingSource = 'file' | 'tags';

/** A binding and where it came from. */
export interface SourcedBinding {
  readonly binding: RotationBinding;
  readonly source: BindingSource;
}

const HOW_TO_BIND =
  "declare its strategy, admin secret and login in the deployment (the construct's rotations, the config's secrets[], or pg-rotator:* tags where the deployment lets tags bind)";

/**
 * The secret as its rotation sees it: the deployment's binding wins over the value for every fact that steers the
 * admin (strategy, admin secret, owner role, logins), and a value that disagrees is refused naming the field, since
 * anyone who may write this one secret controls its value. A secret without a binding rotates only as single-user:
 * its own login changes its own password, and no admin's power is in play.
 *
 * Returns the value with the bound facts written in, so the steps read one consistent secret.
 *
 * @param label the secret's name in messages (`secret`, `pendingSecret`)
 * @throws InvalidInputError naming the field that disagrees, or the binding field that is not allowed
 */
export function boundSecret(
  secret: DatabaseSecret,
  sourced: SourcedBinding | undefined,
  deps: { readonly declarations: Declarations; readonly env: { readonly [ENV.defaultStrategy]?: Strategy } },
  label = 'secret',
): DatabaseSecret {
  if (sourced === undefined) return unbound(secret, deps.env[ENV.defaultStrategy], label);
  const { binding, source } = sourced;
  const bindingField = (field: keyof typeof BINDING_TAGS) => (source === 'file' ? `binding.${field}` : `${label}.tags.${BINDING_TAGS[field]}`);
  const disagree = (field: string, what: string) =>
    new InvalidInputError(`${label}.${field}`, `disagrees with the deployment's binding of this secret (${source === 'file' ? 'bindings file' : 'pg-rotator:* tags'}): ${what}`);

  if (secret.strategy !== undefined && secret.strategy !== binding.strategy) throw disagree('strategy', `the secret is bound to ${binding.strategy}`);
  if (secret.masterarn !== undefined && (binding.adminSecretArn === undefined || !sameSecret(secret.masterarn, binding.adminSecretArn))) {
    throw disagree('masterarn', binding.adminSecretArn === undefined ? 'the secret is bound to no admin secret' : 'it names another admin secret than the bound one');
  }
  if (secret.ownerRole !== undefined && secret.ownerRole !== binding.ownerRole) {
    throw disagree('ownerRole', binding.ownerRole === undefined ? 'the secret is bound to no owner role' : `the secret is bound to owner role "${binding.ownerRole}"`);
  }
  if (binding.adminSecretArn !== undefined && !deps.declarations.isAdminSecret(binding.adminSecretArn)) {
    throw new InvalidInputError(bindingField('adminSecretArn'), "names a secret that is not one of the deployment's admin secrets (ADMIN_SECRET_ARNS): only declared admin secrets act as admin");
  }

  const alternating = binding.strategy === 'alternating' || binding.strategy === 'alternating-owner';
  let alternateUsername = secret.alternateUsername;
  if (binding.username !== undefined) {
    const pair = alternating ? [binding.username, binding.alternateUsername ?? cloneUsername(binding.username)] : [binding.username];
    if (!pair.includes(secret.username)) {
      throw disagree('username', `the secret is bound to ${pair.map((login) => `"${login}"`).join(' and ')}`);
    }
    // The partner of the login the value holds, as pendingLogin reads it: the other bound login, or none (<user>_clone).
    const partner = binding.alternateUsername === undefined ? undefined : secret.username === binding.username ? binding.alternateUsername : binding.username;
    if (secret.alternateUsername !== undefined && secret.alternateUsername !== partner) {
      throw disagree('alternateUsername', partner === undefined ? `the secret is bound to "${binding.username}" and its _clone` : `the bound partner of "${secret.username}" is "${partner}"`);
    }
    alternateUsername = alternating ? partner : undefined;
  }
  return { ...secret, strategy: binding.strategy, masterarn: binding.adminSecretArn, ownerRole: binding.ownerRole, alternateUsername };
}

/** An unbound secret: single-user, or refused with how to bind it. */
function unbound(secret: DatabaseSecret, environmentDefault: Strategy | undefined, label: string): DatabaseSecret {
  const strategy = secret.strategy ?? environmentDefault ?? (secret.masterarn === undefined ? 'single-user' : 'alternating');
  if (strategy === 'single-user') {
    if (secret.masterarn !== undefined) throw new InvalidInputError(`${label}.masterarn`, `names an admin secret, but this secret has no rotation binding; ${HOW_TO_BIND}`);
    return { ...secret, strategy, ownerRole: undefined };
  }
  const field = secret.strategy !== undefined ? `${label}.strategy` : secret.masterarn !== undefined ? `${label}.masterarn` : `environment.${ENV.defaultStrategy}`;
  throw new InvalidInputError(field, `asks for the ${strategy} strategy, which acts as an admin, but this secret has no rotation binding: only single-user rotation needs none; ${HOW_TO_BIND}`);
}
