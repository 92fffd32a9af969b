import * as z from 'zod/mini';
import '../schema-messages';
import { IdentifierSchema } from '../postgres/identifiers';
import { SecretIdSchema } from '../requests/request-target';
import { GrantSchema } from './grants';

/**
 * The parameters of every action: a schema per action (below), and the field schemas several share. They live apart
 * from the action modules because a plan's rollback is itself a request: the modules depend on the request schema
 * (action-request.ts), which must therefore not depend on them.
 */

/**
 * A role name. Names are validated (IdentifierSchema: not empty, no NUL, at most 63 bytes) and later quoted; anything else
 * PostgreSQL allows in a quoted name, quotes, semicolons and non-ASCII included, is a legitimate role name and is
 * handled by quoting, not refused.
 */
export const RoleSchema = z
  .clone(IdentifierSchema)
  .register(z.globalRegistry, { id: 'RoleName', description: 'A role name exactly as stored (case-sensitive, at most 63 bytes).' });

/** The secret that receives a generated password. */
export const SecretNameSchema = SecretIdSchema.check(
  z.meta({ description: 'Secret that receives the password: created when absent, else a new AWSCURRENT version (the old one becomes AWSPREVIOUS).' }),
);

/** The KMS key of a secret an action creates. */
export const KmsKeyIdSchema = z
  .optional(z.string().check(z.minLength(1), z.maxLength(2048), z.regex(/^[A-Za-z0-9/_:-]+$/, 'must be a KMS key id, alias or ARN')))
  .check(z.meta({ description: 'KMS key for a secret the action creates; default: aws/secretsmanager.' }));

/** Whether the result carries the new password (never in a dry run, never in the audit record). */
export const RevealPasswordSchema = z
  ._default(z.boolean(), false)
  .check(z.meta({ description: 'Return the new password in the result. Off by default: read it from the secret instead.' }));

/** CONNECTION LIMIT of a new login. */
export const ConnectionLimitSchema = z
  .optional(z.int().check(z.minimum(-1), z.maximum(100_000)))
  .check(z.meta({ description: 'CONNECTION LIMIT of the new login; -1 (the default) is no limit.' }));

/** Whether to end the role's open sessions after COMMIT; `fallback` is the default. */
export const TerminateSessionsSchema = (fallback: boolean) =>
  z._default(z.boolean(), fallback).check(z.meta({ description: 'Also end the role\'s open sessions (pg_terminate_backend), after COMMIT.' }));

/** The comment that marks a login made by create-temporary-user, so expire-temporary-users touches no other role. */
export const TEMPORARY_USER_MARKER = 'pg-rotator:temporary-user';

/** Parameters of rotate-password. */
export const RotatePasswordParamsSchema = z.strictObject({
  role: RoleSchema,
  secretName: SecretNameSchema,
  kmsKeyId: KmsKeyIdSchema,
  revealPassword: RevealPasswordSchema,
});
export type RotatePasswordParams = z.infer<typeof RotatePasswordParamsSchema>;

/** Parameters of restore-password. */
export const RestorePasswordParamsSchema = z.strictObject({
  role: RoleSchema,
  secretName: SecretNameSchema,
  versionId: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(64),
      z.regex(/^[A-Za-z0-9-]+$/, 'must be a secret version id'),
      z.meta({ description: 'The secret version whose password the role gets back; it becomes AWSCURRENT again.' }),
    ),
});
export type RestorePasswordParams = z.infer<typeof RestorePasswordParamsSchema>;

/** Parameters of create-read-only-user. */
export const CreateReadOnlyUserParamsSchema = z.strictObject({
  role: RoleSchema,
  schemas: z
    .array(IdentifierSchema)
    .check(
      z.minLength(1),
      z.maxLength(100),
      z.meta({ description: 'Schemas the user may read: USAGE, SELECT on every table, and SELECT on tables their owner creates later.' }),
    ),
  secretName: SecretNameSchema,
  kmsKeyId: KmsKeyIdSchema,
  connectionLimit: ConnectionLimitSchema,
  revealPassword: RevealPasswordSchema,
});
export type CreateReadOnlyUserParams = z.infer<typeof CreateReadOnlyUserParamsSchema>;

/** Parameters of create-temporary-user. */
export const CreateTemporaryUserParamsSchema = z.strictObject({
  role: RoleSchema,
  validUntil: z.iso
    .datetime({ offset: true })
    .check(z.meta({ description: 'ISO 8601 instant after which the password stops working (VALID UNTIL); an absolute time, so a dry run and the real run send the same SQL.' })),
  memberOf: z.array(RoleSchema).check(z.minLength(1), z.maxLength(50), z.meta({ description: 'Roles granted to the temporary user.' })),
  secretName: SecretNameSchema,
  kmsKeyId: KmsKeyIdSchema,
  connectionLimit: ConnectionLimitSchema,
  revealPassword: RevealPasswordSchema,
});
export type CreateTemporaryUserParams = z.infer<typeof CreateTemporaryUserParamsSchema>;

/** Parameters of expire-temporary-users. */
export const ExpireTemporaryUsersParamsSchema = z.strictObject({
  terminateSessions: TerminateSessionsSchema(true),
  reassignOwnedTo: z.optional(RoleSchema).check(z.meta({ description: 'Who takes over objects an expired user created; without it such users are skipped.' })),
});
export type ExpireTemporaryUsersParams = z.infer<typeof ExpireTemporaryUsersParamsSchema>;

/** Parameters of lock-user. */
export const LockUserParamsSchema = z.strictObject({ role: RoleSchema, terminateSessions: TerminateSessionsSchema(false) });
export type LockUserParams = z.infer<typeof LockUserParamsSchema>;

/** Parameters of unlock-user. */
export const UnlockUserParamsSchema = z.strictObject({ role: RoleSchema });
export type UnlockUserParams = z.infer<typeof UnlockUserParamsSchema>;

/** Parameters of drop-user. */
export const DropUserParamsSchema = z.strictObject({
  role: RoleSchema,
  reassignOwnedTo: z.optional(RoleSchema).check(
    z.meta({
      description: 'Role that receives what the user owns (REASSIGN OWNED); its privileges are then revoked (DROP OWNED). Without it a user that owns objects or holds privileges is refused.',
    }),
  ),
  terminateSessions: TerminateSessionsSchema(false),
  deleteSecretName: z.optional(SecretNameSchema).check(z.meta({ description: "Secret holding the user's password, to delete (30-day recovery window)." })),
});
export type DropUserParams = z.infer<typeof DropUserParamsSchema>;

/** Parameters of grant-role. */
export const GrantRoleParamsSchema = z.strictObject({
  role: RoleSchema.check(z.meta({ description: 'The member: the role that receives the membership.' })),
  grantedRole: RoleSchema.check(z.meta({ description: 'The role granted to it.' })),
  adminOption: z._default(z.boolean(), false),
  inherit: z.optional(z.boolean()).check(z.meta({ description: 'PostgreSQL 16+: the membership INHERIT option.' })),
  set: z.optional(z.boolean()).check(z.meta({ description: 'PostgreSQL 16+: the membership SET option.' })),
  grantedBy: z.optional(RoleSchema).check(z.meta({ description: 'Record the grant as made by this role (GRANTED BY).' })),
});
export type GrantRoleParams = z.infer<typeof GrantRoleParamsSchema>;

/** Parameters of revoke-role. */
export const RevokeRoleParamsSchema = z.strictObject({
  role: RoleSchema.check(z.meta({ description: 'The member that loses the membership.' })),
  grantedRole: RoleSchema,
  grantedBy: z.optional(RoleSchema).check(z.meta({ description: 'PostgreSQL 16+: revoke only the grant made by this role.' })),
});
export type RevokeRoleParams = z.infer<typeof RevokeRoleParamsSchema>;

/** Parameters of revoke-all-privileges. */
export const RevokeAllPrivilegesParamsSchema = z.strictObject({
  role: RoleSchema,
  schema: IdentifierSchema.check(
    z.meta({ description: 'The schema whose privileges are revoked: the schema itself and its tables, columns, sequences, routines and default privileges.' }),
  ),
});
export type RevokeAllPrivilegesParams = z.infer<typeof RevokeAllPrivilegesParamsSchema>;

/** Parameters of grant-privileges: exact grants, as revoke-all-privileges records them. */
export const GrantListParamsSchema = z.strictObject({
  role: RoleSchema,
  grants: z.array(GrantSchema).check(z.minLength(1), z.maxLength(1000)),
});
export type GrantListParams = z.infer<typeof GrantListParamsSchema>;

/** Parameters of revoke-privileges: grants revoked whole, and grants whose grant option alone is revoked. */
export const RevokePrivilegesParamsSchema = z
  .strictObject({
    role: RoleSchema,
    grants: z.array(GrantSchema).check(z.maxLength(1000), z.meta({ description: 'Privileges revoked, with their grant option.' })),
    grantOptions: z.optional(
      z.array(GrantSchema).check(
        z.maxLength(1000),
        z.meta({
          description: "Privileges whose grant option alone is revoked (REVOKE GRANT OPTION FOR): the role keeps them. grant-privileges' rollback lists here a grant option it added to a privilege already held.",
        }),
      ),
    ),
  })
  .check(
    z.superRefine((params, ctx) => {
      if (params.grants.length + (params.grantOptions?.length ?? 0) === 0) ctx.addIssue({ code: 'custom', path: ['grants'], message: 'must list at least one grant (or grantOptions)' });
    }),
  );
export type RevokePrivilegesParams = z.infer<typeof RevokePrivilegesParamsSchema>;
