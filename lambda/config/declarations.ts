import type { RotatedRoles } from '../catalog/protected-roles';
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
   * The logins the bindings file binds (each secret's login, its alternate, `<login>_clone` where the pair is AWS's)
   * and the owner roles of its alternating-owner bindings: an orchestrator action on one of them would break that
   * secret's rotation.
   */
  boundRoles(): RotatedRoles;
}

/** The declarations of a deployment: its bindings file and its environment. */
export function deploymentDeclarations(input: {
  readonly bindings: readonly RotationBinding[];
  readonly tagsBind: boolean;
  readonly adminSecretArns: readonly string[];
}): Declarations {
  const bindings = new SecretArnIndex(input.bindings.map((binding) => [binding.secretArn, binding] as const));
  const admins = new SecretArnIndex(input.adminSecretArns.map((arn) => [arn, true] as const));
  const roles = rotatedRolesOf(input.bindings);
  return {
    fileBinding: (secretArn) => bindings.get(secretArn),
    tagsBind: input.tagsBind,
    isAdminSecret: (secretArn) => admins.get(secretArn) === true,
    boundRoles: () => roles,
  };
}

/** The parts of a binding that name roles: from the bindings file, or read leniently from a secret's tags. */
export type BoundRoleFields = Partial<Pick<RotationBinding, 'strategy' | 'username' | 'alternateUsername' | 'ownerRole'>>;

/** The logins and owner roles these bindings name (see {@link Declarations.boundRoles}). */
export function rotatedRolesOf(bindings: Iterable<BoundRoleFields>): RotatedRoles {
  const logins = new Set<string>();
  const ownerRoles = new Set<string>();
  for (const binding of bindings) {
    for (const login of loginsOf(binding)) logins.add(login);
    if (binding.ownerRole !== undefined) ownerRoles.add(binding.ownerRole);
  }
  return { logins, ownerRoles };
}

/**
 * A binding's logins. Without a strategy (tags read leniently, where one is missing), the `_clone` is counted too: a
 * name protected in vain costs nothing, a rotated login left unprotected costs its rotation.
 */
function loginsOf(binding: BoundRoleFields): string[] {
  if (binding.username === undefined) return [];
  const single = binding.strategy === 'single-user' || binding.strategy === 'admin';
  if (single) return [binding.username];
  if (binding.alternateUsername !== undefined) return [binding.username, binding.alternateUsername];
  try {
    return [binding.username, cloneUsername(binding.username)];
  } catch {
    // Too long for a _clone: that secret's rotation is refused with the reason; its own login is still protected.
    return [binding.username];
  }
}
