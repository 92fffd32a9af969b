import * as z from 'zod/mini';
import '../schema-messages';
import { IdentifierSchema } from '../postgres/identifiers';
import { SecretIdSchema } from '../requests/request-target';

/**
 * Field schemas shared by several actions' parameters. Names are validated (IdentifierSchema: not empty, no NUL,
 * at most 63 bytes) and later quoted; anything else PostgreSQL allows in a quoted name, quotes, semicolons and
 * non-ASCII included, is a legitimate role name and is handled by quoting, not refused.
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
