import type { RoleFacts } from '../catalog/catalog';
import { readRole, readSchemas } from '../catalog/catalog';
import { InvalidInputError, RoleExistsError } from '../errors';
import { quoteIdentifier as q } from '../postgres/identifiers';
import type { CreateReadOnlyUserParams } from './action-params';
import type { ActionModule } from './action-module';
import type { SecretState } from './action-secrets';
import { statement } from './planned-statement';
import { passwordSecretPlan } from './password-secret';
import { roleStatements } from './role-statements';

interface CreateState {
  readonly role: RoleFacts | undefined;
  readonly schemas: readonly { readonly name: string; readonly owner: string }[];
  readonly secret: SecretState;
}

/**
 * create-read-only-user: a LOGIN role with CONNECT on the database, USAGE on each schema, SELECT on all its
 * tables (views and materialized views included: GRANT … ON ALL TABLES covers them) and, for tables the schema's
 * owner creates later, SELECT by default (ALTER DEFAULT PRIVILEGES FOR ROLE <owner>). The password is stored in a
 * secret. The rollback drops the user (REASSIGN OWNED to the admin, DROP OWNED, DROP ROLE), ends its sessions and
 * deletes the secret if this action created it.
 */
export const createReadOnlyUser: ActionModule<CreateReadOnlyUserParams, CreateState> = {
  newPasswordFor: (params) => params.role,
  lockRoles: (params) => [params.role],
  observe: async (ctx, params) => ({
    role: await readRole(ctx.session, params.role),
    schemas: await readSchemas(ctx.session, params.schemas),
    secret: await ctx.inspectSecret(params.secretName),
  }),
  plan: ({ params, state, facts, verifier, secretBase }) => {
    if (state.role !== undefined) throw new RoleExistsError(`role "${params.role}" already exists; drop it first or choose another name`);
    const schemas = [...new Set(params.schemas)].map((name) => {
      const found = state.schemas.find((schema) => schema.name === name);
      if (!found) throw new InvalidInputError(`request.params.schemas.${params.schemas.indexOf(name)}`, `names no schema in database "${facts.database}"`);
      return found;
    });
    const secret = passwordSecretPlan({
      secretName: params.secretName,
      state: state.secret,
      role: params.role,
      base: secretBase,
      kmsKeyId: params.kmsKeyId,
      description: `pg-rotator: read-only login "${params.role}"`,
    });
    const role = params.role;
    const limit = params.connectionLimit === undefined ? {} : { connectionLimit: params.connectionLimit };
    return {
      changed: true,
      statements: [
        roleStatements.createLogin(role, verifier(role), limit),
        roleStatements.grantConnect(facts.database, role),
        ...schemas.flatMap((schema) => [
          statement(`GRANT USAGE ON SCHEMA ${q(schema.name)} TO ${q(role)}`),
          statement(`GRANT SELECT ON ALL TABLES IN SCHEMA ${q(schema.name)} TO ${q(role)}`),
          statement(`ALTER DEFAULT PRIVILEGES FOR ROLE ${q(schema.owner)} IN SCHEMA ${q(schema.name)} GRANT SELECT ON TABLES TO ${q(role)}`),
        ]),
      ],
      secret: secret.change,
      rollback: {
        action: 'drop-user',
        params: {
          role,
          reassignOwnedTo: facts.currentUser,
          terminateSessions: true,
          ...(secret.creates ? { deleteSecretName: params.secretName } : {}),
        },
      },
    };
  },
};
