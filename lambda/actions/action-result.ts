import { z } from 'zod';
import { ACTION_NAMES } from './action-names';
import { GrantSchema } from './grants';

/** What a secret change did (or, in a dry run, would do). */
export const SecretOutcomeSchema = z.object({
  operation: z.enum(['create', 'put', 'promote', 'delete']),
  secretId: z.string().meta({ description: 'The ARN once the secret exists; in a dry run, the name or ARN given.' }),
  versionId: z.string().optional().meta({ description: 'The version made AWSCURRENT (create, put, promote).' }),
});

/**
 * The result of an action. `sql` lists, in order, every statement that changes the database: in a dry run the
 * statements the real run would execute, in a real run those it executed, with password verifiers redacted.
 * Besides them each run sends BEGIN, its advisory locks and catalogue reads, and COMMIT (ROLLBACK in a dry run).
 */
export const ActionResultSchema = z.object({
  action: z.enum(ACTION_NAMES),
  dryRun: z.boolean(),
  database: z.string().meta({ description: 'The database the action ran in.' }),
  changed: z.boolean().meta({ description: 'False when the database already was as asked (idempotent no-op).' }),
  sql: z.array(z.string()),
  secret: SecretOutcomeSchema.nullable(),
  password: z.string().optional().meta({ description: 'The new password; only with revealPassword and never in a dry run.' }),
  revoked: z.array(GrantSchema).optional(),
  granted: z.array(GrantSchema).optional(),
  dropped: z.array(z.string()).optional(),
  skipped: z
    .array(z.object({ role: z.string(), reason: z.string(), rule: z.string().optional().meta({ description: 'The guard rule that kept the role from being changed, when one did.' }) }))
    .optional(),
  terminatedSessions: z.number().int().optional(),
  notes: z.array(z.string()),
}).meta({ id: 'ActionResult' });
export type ActionResult = z.infer<typeof ActionResultSchema>;

/** The action-specific part of a result, decided by the plan. */
export type ActionReport = Partial<Pick<ActionResult, 'revoked' | 'granted' | 'dropped' | 'skipped' | 'notes'>>;
