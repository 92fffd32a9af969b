import * as z from 'zod/mini';
import '../schema-messages';
import { ACTION_NAMES } from './action-names';
import { GrantSchema } from './grants';

/** What a secret change did (or, in a dry run, would do). */
export const SecretOutcomeSchema = z.object({
  operation: z.enum(['create', 'put', 'promote', 'delete']),
  secretId: z.string().check(z.meta({ description: 'The ARN once the secret exists; in a dry run, the name or ARN given.' })),
  versionId: z.optional(z.string()).check(z.meta({ description: 'The version made AWSCURRENT (create, put, promote).' })),
});

/**
 * The result of an action. `sql` lists, in order, every statement that changes the database: in a dry run the
 * statements the real run would execute, in a real run those it executed, with password verifiers redacted.
 * Besides them each run sends BEGIN, its advisory locks and catalogue reads, and COMMIT (ROLLBACK in a dry run).
 */
export const ActionResultSchema = z.object({
  action: z.enum(ACTION_NAMES),
  dryRun: z.boolean(),
  database: z.string().check(z.meta({ description: 'The database the action ran in.' })),
  changed: z.boolean().check(z.meta({ description: 'False when the database already was as asked (idempotent no-op).' })),
  sql: z.array(z.string()),
  secret: z.nullable(SecretOutcomeSchema),
  password: z.optional(z.string()).check(z.meta({ description: 'The new password; only with revealPassword and never in a dry run.' })),
  revoked: z.optional(z.array(GrantSchema)),
  granted: z.optional(z.array(GrantSchema)),
  revokedGrantOptions: z.optional(
    z.array(GrantSchema).check(z.meta({ description: "revoke-privileges' grantOptions: grant options revoked from privileges the role keeps." })),
  ),
  dropped: z.optional(z.array(z.string())),
  skipped: z.optional(
    z.array(
      z.object({
        role: z.string(),
        reason: z.string(),
        rule: z.optional(z.string()).check(z.meta({ description: 'The guard rule that kept the role from being changed, when one did.' })),
      }),
    ),
  ),
  terminatedSessions: z.optional(z.int()),
  notes: z.array(z.string()),
}).register(z.globalRegistry, { id: 'ActionResult' });
export type ActionResult = z.infer<typeof ActionResultSchema>;

/** The action-specific part of a result, decided by the plan. */
export type ActionReport = Partial<Pick<ActionResult, 'revoked' | 'granted' | 'revokedGrantOptions' | 'dropped' | 'skipped' | 'notes'>>;
