import * as z from 'zod/mini';
import '../schema-messages';

/** Who asked, for the audit record: a ticket, a pipeline run, a user; free text, never a credential. */
export const CallerSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(256), z.regex(/^[ -~]+$/, 'must be printable ASCII'))
  .register(z.globalRegistry, { id: 'Caller', description: 'Who is asking (ticket, pipeline, user), recorded in the audit log.' });

/**
 * The `caller` of the requests a deployment's own schedules send: expire-temporary-users
 * (infra/constructs/expiry-schedules.ts), whose failures the profile's alarm matches by it, and the hourly status check
 * (infra/constructs/status-schedule.ts). The audit record carries it.
 */
export const SCHEDULED_CALLER = 'schedule';

/** The parts of the Lambda context object an orchestrator request reads. */
export interface InvocationContext {
  readonly awsRequestId?: string;
  /** The decoded X-Amz-Client-Context of the Invoke call: `{ custom: { caller } }` when the typed client sent it. */
  readonly clientContext?: unknown;
}

const ClientContextSchema = z.object({ custom: z.object({ caller: CallerSchema }) });

/**
 * Who asked: the request's own `caller`, else the `caller` the invoking client put in the Lambda client context,
 * else "unknown". Lambda hands a function no IAM identity of its invoker; CloudTrail's Lambda data events
 * (Invoke) record that, and the audit record's requestId joins the two.
 */
export function callerOf(requestCaller: string | undefined, context: InvocationContext | undefined): string {
  if (requestCaller !== undefined) return requestCaller;
  const parsed = ClientContextSchema.safeParse(context?.clientContext);
  return parsed.success ? parsed.data.custom.caller : 'unknown';
}
