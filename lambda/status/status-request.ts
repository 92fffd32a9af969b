import { z } from 'zod';
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
      .string()
      .min(1)
      .max(512)
      .optional()
      .meta({ description: 'Only secrets whose name starts with this (ListSecrets\' name filter, case-sensitive).' }),
    list: z
      .enum(['all', 'findings', 'none'])
      .default('all')
      .meta({ description: 'Which secrets the answer lists: all, only those with findings, or none (the counts and metrics only; what the scheduled check sends).' }),
    caller: CallerSchema.optional(),
  })
  .meta({ id: 'StatusRequest', description: 'List the secrets this deployment rotates, with their findings.' });
export type StatusRequest = z.infer<typeof StatusRequestSchema>;

export const FINDING_KINDS = ['stuck', 'overdue', 'rotation-disabled'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

const Timestamp = z.iso.datetime();

export const FindingSchema = z
  .object({
    kind: z.enum(FINDING_KINDS).meta({
      description:
        'stuck: AWSPENDING sits on a version apart from AWSCURRENT for longer than the rotation window; overdue: the last rotation is older than the schedule allows; rotation-disabled: this function is the secret\'s rotation function but rotation is off.',
    }),
    detail: z.string(),
  })
  .meta({ id: 'Finding' });
export type Finding = z.infer<typeof FindingSchema>;

export const SecretStatusSchema = z
  .object({
    arn: z.string(),
    name: z.string(),
    strategy: z.string().meta({ description: 'From the pg-rotator:strategy tag; "unknown" without one (the status check reads no secret value).' }),
    rotationEnabled: z.boolean(),
    schedule: z.string().nullable().meta({ description: 'rate(…), cron(…) or "every N days"; null without a schedule.' }),
    windowHours: z.number().int().min(1).max(24).meta({ description: 'The rotation window: Duration, or Secrets Manager\'s default for the schedule.' }),
    lastRotated: Timestamp.nullable().meta({ description: 'LastRotatedDate; null if it never rotated.' }),
    nextRotation: Timestamp.nullable().meta({ description: 'NextRotationDate as Secrets Manager reports it (in the past after a failed rotation).' }),
    dueBy: Timestamp.nullable().meta({ description: 'When the window in which the next rotation is due closes; past it, the secret is overdue.' }),
    stages: z.array(z.array(z.string())).meta({ description: 'The staging labels, one list per labelled version, AWSCURRENT\'s version first.' }),
    pending: z
      .object({
        versionId: z.string(),
        createdAt: Timestamp.nullable().meta({ description: 'The pending version\'s CreatedDate (ListSecretVersionIds); null if it could not be read in time.' }),
        ageSeconds: z.number().int().min(0).nullable(),
      })
      .nullable()
      .meta({ description: 'AWSPENDING on a version that is not AWSCURRENT: a rotation in progress, or one that did not finish.' }),
    lastFailure: z
      .object({ since: Timestamp, detail: z.string() })
      .nullable()
      .meta({
        description:
          'The rotation that did not finish, derived from a stuck pending version (when it began). Its error code and step are in the function\'s log (docs/operations.md has the query); Secrets Manager keeps no failure in its metadata.',
      }),
    findings: z.array(FindingSchema),
  })
  .meta({ id: 'SecretStatus' });
export type SecretStatus = z.infer<typeof SecretStatusSchema>;

export const StatusResultSchema = z
  .object({
    rotationFunctionArn: z.string().meta({ description: 'The rotation function whose secrets were listed.' }),
    checkedAt: Timestamp,
    complete: z.boolean().meta({ description: 'false when listing stopped early (stoppedBy says why): the counts cover only what was listed.' }),
    stoppedBy: z.enum(['page-limit', 'time-limit']).nullable(),
    pagesRead: z.number().int().min(0),
    counts: z.object({
      managed: z.number().int().min(0),
      healthy: z.number().int().min(0),
      stuck: z.number().int().min(0),
      overdue: z.number().int().min(0),
      rotationDisabled: z.number().int().min(0),
    }),
    secrets: z.array(SecretStatusSchema).meta({ description: 'Secrets with findings first, then by name; as many as `list` asks for and the answer\'s size allows.' }),
    omitted: z.number().int().min(0).meta({ description: 'Secrets `list` asked for but left out to keep the answer within Lambda\'s response size.' }),
  })
  .meta({ id: 'StatusResult' });
export type StatusResult = z.infer<typeof StatusResultSchema>;
