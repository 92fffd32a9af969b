import type { RotationBinding } from './rotation-bindings';
import { cloneUsername } from '../rotation/strategy';
import { SecretArnIndex } from '../secrets/secret-arn';

/**
 * What the deployment declared, as the function consults it: the rotation bindings of its file, whether tags may
 * bind other secrets, and which admin secrets may act as admin at all (the allow list). Made once per container.
 */
export interface Declarations {
  /** The bindings file's binding for a secret (by its complete ARN), if it has one. */
  fileBinding(secretArn: string): RotationBinding | undefined;
  /** Whether `pg-rotator:*` tags bind secrets the file does not (ROTATION_BINDING_TAGS). */
  readonly tagsBind: boolean;
  /** Whether a secret (by ARN) is a declared admin secret (ADMIN_SECRET_ARNS). */
  isAdminSecret(secretArn: string): boolean;
  /**
   * The logins the bindings file binds (each secret's login, its alternate, `<login>_clone` where the pair is AWS's):
   * an orchestrator action on one of them would break that secret's rotation.
   */
  boundLogins(): ReadonlySet<string>;
}

/** The declarations of a deployment: its bindings file and its environment. */
export function deploymentDeclarations(input: {
  readonly bindings: readonly RotationBinding[];
  readonly tagsBind: boolean;
  readonly adminSecretArns: readonly string[];
}): Declarations {
  const bindings = new SecretArnIndex(input.bindings.map((binding) => [binding.secretArn, binding] as const));
  const admins = new SecretArnIndex(input.adminSecretArns.map((arn) => [arn, true] as const));
  const logins = boundLoginsOf(input.bindings);
  return {
    fileBinding: (secretArn) => bindings.get(secretArn),
    tagsBind: input.tagsBind,
    isAdminSecret: (secretArn) => admins.get(secretArn) === true,
    boundLogins: () => logins,
  };
}

/** The logins these bindings bind (see {@link Declarations.boundLogins}). */
export function boundLoginsOf(bindings: readonly RotationBinding[]): ReadonlySet<string> {
  return new Set(bindings.flatMap(loginsOf));
}

function loginsOf(binding: RotationBinding): string[] {
  if (binding.username === undefined) return [];
  const alternating = binding.strategy === 'alternating' || binding.strategy === 'alternating-owner';
  if (!alternating) return [binding.username];
  if (binding.alternateUsername !== undefined) return [binding.username, binding.alternateUsername];
  try {
    return [binding.username, cloneUsername(binding.username)];
  } catch {
    // Too long for a _clone: that secret's rotation is refused with the reason; its own login is still protected.
    return [binding.username];
  }
}
