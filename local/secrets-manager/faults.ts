import { z } from 'zod';
import { AWS_ERROR_CODES, AwsApiError } from './errors';
import type { AwsErrorCode } from './errors';

/**
 * Fault injection for the reliability tests: make the Nth call of an operation throttle, fail with a 500, answer
 * late, or fail with any AWS error, either before the change is applied or after it (the change is kept but the
 * client never hears of it, as when a response is lost on the wire).
 *
 * Remember the SDKs and the function's client retry ThrottlingException (by name) and 5xx answers up to `maxAttempts` (3 by default), so a
 * fault that fires once is usually invisible to the caller unless the client sets `maxAttempts: 1`.
 */

/** What a fault does. `error` answers with `code` (any AWS error this endpoint knows). */
export type FaultKind = 'throttle' | 'internal-error' | 'latency' | 'error';

const FaultSpecSchema = z
  .object({
    /** The operation name (`PutSecretValue`), or `*` for every operation. */
    operation: z.string().min(1),
    kind: z.enum(['throttle', 'internal-error', 'latency', 'error']),
    latencyMs: z.number().int().min(0).optional(),
    /** Fire on the Nth call (1-based) of the operation, counted from when the fault was added. */
    onCall: z.number().int().min(1).optional(),
    /** How many times to fire: default 1 with `onCall`, otherwise every call. */
    times: z.number().int().min(1).optional(),
    /** `before` (default): nothing is applied. `after`: the change is applied, then the failure is answered. */
    when: z.enum(['before', 'after']).optional(),
    code: z.enum(AWS_ERROR_CODES as [AwsErrorCode, ...AwsErrorCode[]]).optional(),
    message: z.string().optional(),
  })
  .refine((spec) => spec.kind !== 'latency' || spec.latencyMs !== undefined, {
    message: 'a latency fault needs latencyMs',
    path: ['latencyMs'],
  })
  .refine((spec) => spec.kind !== 'error' || spec.code !== undefined, {
    message: 'an error fault needs code',
    path: ['code'],
  });

/** A fault to inject, as tests write it. */
export type FaultSpec = z.input<typeof FaultSpecSchema>;

/** A fault spec that failed its schema; names the field. */
export class InvalidFaultError extends Error {
  readonly code = 'INVALID_FAULT';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidFaultError';
  }
}

/** A registered fault, with how often it saw and hit its operation. */
export interface FaultHandle {
  readonly spec: Readonly<FaultSpec>;
  /** Calls of the operation seen since the fault was added. */
  readonly seen: number;
  /** Times the fault fired. */
  readonly fired: number;
  /** Unregisters the fault. */
  remove(): void;
}

/** What one request must suffer, in the phase it must suffer it. */
export type FaultAction = { readonly kind: 'delay'; readonly ms: number } | { readonly kind: 'fail'; readonly error: AwsApiError };

/** The actions for one request, split by phase. */
export interface FaultPlan {
  readonly before: readonly FaultAction[];
  readonly after: readonly FaultAction[];
}

interface Registered {
  readonly spec: z.output<typeof FaultSpecSchema>;
  seen: number;
  fired: number;
}

function action(spec: z.output<typeof FaultSpecSchema>): FaultAction {
  switch (spec.kind) {
    case 'latency':
      return { kind: 'delay', ms: spec.latencyMs ?? 0 };
    case 'throttle':
      return { kind: 'fail', error: new AwsApiError('ThrottlingException', spec.message ?? 'Rate exceeded') };
    case 'internal-error':
      return {
        kind: 'fail',
        error: new AwsApiError('InternalServiceError', spec.message ?? 'An error occurred on the server side.'),
      };
    case 'error':
      return { kind: 'fail', error: new AwsApiError(spec.code ?? 'InternalServiceError', spec.message ?? 'Injected fault.') };
  }
}

/**
 * The fault registry of one endpoint.
 *
 * @example
 * server.faults.add({ operation: 'PutSecretValue', kind: 'throttle', onCall: 1 });
 * server.faults.add({ operation: 'UpdateSecretVersionStage', kind: 'internal-error', when: 'after' });
 */
export class FaultInjector {
  #faults: Registered[] = [];

  /**
   * Registers a fault.
   *
   * @throws InvalidFaultError when the spec is malformed.
   */
  add(spec: FaultSpec): FaultHandle {
    const parsed = FaultSpecSchema.safeParse(spec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidFaultError(`fault.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, {
        cause: parsed.error,
      });
    }
    const registered: Registered = { spec: parsed.data, seen: 0, fired: 0 };
    this.#faults.push(registered);
    return {
      spec: parsed.data,
      get seen() {
        return registered.seen;
      },
      get fired() {
        return registered.fired;
      },
      remove: () => {
        this.#faults = this.#faults.filter((f) => f !== registered);
      },
    };
  }

  /** Removes every fault. */
  clear(): void {
    this.#faults = [];
  }

  /** Decides, once per request, which faults fire for it (and counts the call for each matching fault). */
  plan(operation: string): FaultPlan {
    const before: FaultAction[] = [];
    const after: FaultAction[] = [];
    for (const fault of this.#faults) {
      const { spec } = fault;
      if (spec.operation !== '*' && spec.operation !== operation) continue;
      fault.seen += 1;
      const fires =
        spec.onCall !== undefined
          ? fault.seen >= spec.onCall && fault.seen < spec.onCall + (spec.times ?? 1)
          : fault.fired < (spec.times ?? Number.POSITIVE_INFINITY);
      if (!fires) continue;
      fault.fired += 1;
      (spec.when === 'after' ? after : before).push(action(spec));
    }
    return { before, after };
  }
}
