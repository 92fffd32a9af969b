import * as z from 'zod/mini';
import '../schema-messages';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

// AWS's newer templates (get_input_map_value) accept only printable ASCII in event fields.
const printableAscii = z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(2048), z.regex(/^[ -~]+$/, 'must be printable ASCII'));

/** The event Secrets Manager sends for each rotation step (rotate-secrets_lambda, "Rotation function"). */
export const RotationEventSchema = z.object({
  Step: z.enum(ROTATION_STEPS, { message: `must be one of ${ROTATION_STEPS.join(', ')}` }),
  SecretId: printableAscii,
  ClientRequestToken: printableAscii,
  /** Sensitive: forwarded to PutSecretValue, never logged (PutSecretValueRequest.RotationToken). */
  RotationToken: z.optional(printableAscii),
});

export type RotationEvent = z.infer<typeof RotationEventSchema>;
export type RotationStep = RotationEvent['Step'];
