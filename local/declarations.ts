import type { Declarations } from '../lambda/config/declarations';
import { rotatedRolesOf } from '../lambda/config/declarations';
import type { RotationBinding } from '../lambda/config/rotation-bindings';
import { ADMIN_STRATEGIES, RotationBindingSchema } from '../lambda/config/rotation-bindings';
import { sameSecret } from '../lambda/secrets/secret-arn';

/**
 * What a deployment declares, held in memory so tests, the demo and the benchmark can declare secrets as they create
 * them, the way a deployment's config lists them: rotation bindings (as the construct's bindings file) and admin
 * secrets (as ADMIN_SECRET_ARNS). Both local functions read the same declarations, as one deployment's would.
 */
export interface LocalDeclarations extends Declarations {
  /** The bindings, shared by every function of the deployment (its one bindings file). */
  readonly bindings: RotationBinding[];
  /** Binds a secret, as an entry of the bindings file. */
  bind(binding: RotationBinding): void;
  /** Declares an admin secret, as an entry of ADMIN_SECRET_ARNS. */
  declareAdmin(secretArn: string): void;
  /**
   * Declares what a secret's own value says, as a deployment's config would list that secret: a binding for an
   * admin-driven strategy (from `strategy`, `masterarn`, `ownerRole`, `username`, `alternateUsername`), and its admin
   * secret. A value that asks for no admin needs no declaration.
   */
  declareLike(secretArn: string, value: Readonly<Record<string, unknown>>): void;
}

/**
 * @param options.bindings the deployment's bindings, when another function's declarations already hold them: one
 *   deployment has one bindings file, while each function (each orchestrator profile) has its own admin allow list
 */
export function localDeclarations(
  options: { readonly tagsBind?: boolean; readonly adminSecretArns?: readonly string[]; readonly bindings?: RotationBinding[] } = {},
): LocalDeclarations {
  const bindings: RotationBinding[] = options.bindings ?? [];
  const admins: string[] = [...(options.adminSecretArns ?? [])];
  const declarations: LocalDeclarations = {
    bindings,
    tagsBind: options.tagsBind ?? false,
    fileBinding: (secretArn) => bindings.find((binding) => sameSecret(binding.secretArn, secretArn)),
    isAdminSecret: (secretArn) => admins.some((admin) => sameSecret(admin, secretArn)),
    boundRoles: () => rotatedRolesOf(bindings),
    bind: (binding) => {
      const parsed = RotationBindingSchema.parse(binding);
      const at = bindings.findIndex((known) => sameSecret(known.secretArn, parsed.secretArn));
      if (at === -1) bindings.push(parsed);
      else bindings[at] = parsed;
    },
    declareAdmin: (secretArn) => void admins.push(secretArn),
    declareLike: (secretArn, value) => {
      const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : undefined);
      const masterarn = text('masterarn');
      const strategy = text('strategy') ?? (masterarn === undefined ? undefined : 'alternating');
      if (strategy === undefined || !(ADMIN_STRATEGIES as readonly string[]).includes(strategy)) return;
      declarations.bind({
        secretArn,
        strategy: strategy as RotationBinding['strategy'],
        adminSecretArn: masterarn,
        ownerRole: text('ownerRole'),
        username: text('username'),
        alternateUsername: text('alternateUsername'),
      });
      if (masterarn !== undefined) declarations.declareAdmin(masterarn);
    },
  };
  return declarations;
}
