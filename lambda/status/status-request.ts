import * as z from 'zod/mini';
import '../schema-messages';
import { CallerSchema } from '../requests/caller';

/**
 * The `status` request: which secrets this deployment's rotation function rotates, and what is wrong with them. It
 * is answered by the status function (lambda/handlers/status.ts) from Secrets Manager's metadata alone (ListSecrets,
 * and ListSecretVersionIds for secrets with a pending version): no secret value is read.
 */
export const StatusRequestSchema = z
  .strictObject({
    kind: z.literal('status'),
    namePrefix: z
      .optional(z.string().check(z.minLength(1), z.maxLength(512)))
      .check(z.meta({ description: 'Only secrets whose name starts with this (ListSecrets\' name filter, case-sensitive).' })),
    list: z
      ._default(z.enum(['all', 'findings', 'none']), 'all')
      .check(z.meta({ description: 'Which secrets the answer lists: all, only those with findings, or none (the counts and metrics only; what the scheduled check sends).' })),
    caller: z.optional(CallerSchema),
  })
  .register(z.globalRegistry, { id: 'StatusRequest', description: 'List the secrets this deployment rotates, with their findings.' });
export type StatusRequest = z.infer<typeof StatusRequestSchema>;

export const FINDING_KINDS = ['stuck', 'overdue', 'rotation-disabled'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

const Timestamp = z.iso.datetime();
const count = () => z.int().check(z.minimum(0));

export const FindingSchema = z
  .object({
    kind: z.enum(FINDING_KINDS).check(
      z.meta({
        description:
          'stuck: AWSPENDING sits on a version apart from AWSCURRENT for longer than the rotation window; overdue: the last rotation is older than the schedule allows; rotation-disabled: this function is the secret\'s rotation function but rotation is off.',
      }),
    ),
    detail: z.string(),
  })
  .register(z.globalRegistry, { id: 'Finding' });
export type Finding = z.infer<typeof FindingSchema>;

export const SecretStatusSchema = z
  .object({
    arn: z.string(),
    name: z.string(),
    strategy: z.string().check(z.meta({ description: 'From the pg-rotator:strategy tag; "unknown" without one (the status check reads no secret value).' })),
    rotationEnabled: z.boolean(),
    schedule: z.nullable(z.string()).check(z.meta({ description: 'rate(…), cron(…) or "every N days"; null without a schedule.' })),
    windowHours: z.int().check(z.minimum(1), z.maximum(24), z.meta({ description: 'The rotation window: Duration, or Secrets Manager\'s default for the schedule.' })),
    lastRotated: z.nullable(Timestamp).check(z.meta({ description: 'LastRotatedDate; null if it never rotated.' })),
    nextRotation: z.nullable(Timestamp).check(z.meta({ description: 'NextRotationDate as Secrets Manager reports it (in the past after a failed rotation).' })),
    dueBy: z.nullable(Timestamp).check(z.meta({ description: 'When the window in which the next rotation is due closes; past it, the secret is overdue.' })),
    stages: z.array(z.array(z.string())).check(z.meta({ description: 'The staging labels, one list per labelled version, AWSCURRENT\'s version first.' })),
    pending: z
      .nullable(
        z.object({
          versionId: z.string(),
          createdAt: z.nullable(Timestamp).check(z.meta({ description: 'The pending version\'s CreatedDate (ListSecretVersionIds); null if it could not be read in time.' })),
          ageSeconds: z.nullable(count()),
        }),
      )
      .check(z.meta({ description: 'AWSPENDING on a version that is not AWSCURRENT: a rotation in progress, or one that did not finish.' })),
    lastFailure: z.nullable(z.object({ since: Timestamp, detail: z.string() })).check(
      z.meta({
        description:
          'The rotation that did not finish, derived from a stuck pending version (when it began). Its error code and step are in the function\'s log (docs/operations.md has the query); Secrets Manager keeps no failure in its metadata.',
      }),
    ),
    findings: z.array(FindingSchema),
  })
  .register(z.globalRegistry, { id: 'SecretStatus' });
export type SecretStatus = z.infer<typeof SecretStatusSchema>;

export const StatusResultSchema = z
  .object({
    rotationFunctionArn: z.string().check(z.meta({ description: 'The rotation function whose secrets were listed.' })),
    checkedAt: Timestamp,
    complete: z.boolean().check(z.meta({ description: 'false when listing stopped early (stoppedBy says why): the counts cover only what was listed.' })),
    stoppedBy: z.nullable(z.enum(['page-limit', 'time-limit'])),
    pagesRead: count(),
    counts: z.object({
      managed: count(),
      healthy: count(),
      stuck: count(),
      overdue: count(),
      rotationDisabled: count(),
    }),
    secrets: z
      .array(SecretStatusSchema)
      .check(z.meta({ description: 'Secrets with findings first, then by name; as many as `list` asks for and the answer\'s size allows.' })),
    omitted: count().check(z.meta({ description: 'Secrets `list` asked for but left out to keep the answer within Lambda\'s response size.' })),
  })
  .register(z.globalRegistry, { id: 'StatusResult' });
export type StatusResult = z.infer<typeof StatusResultSchema>;
