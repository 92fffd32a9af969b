/**
 * Arms a scenario's fault for the one step invocation it targets, and disarms it when that invocation ends, so the
 * retries run clean. Secrets Manager faults go through the lane's relay (sm-relay.ts), which hits one logical call
 * named by what it asks for; database faults hook the function's statements (rotator-statements.ts) and do the
 * harm for real.
 */
import type { RotationStep } from '../../../lambda/rotation/rotation-event';
import { errorOfDeadSession, terminateBackend, terminateRotatorSessions } from './database-faults';
import type { Fault } from './fault-scenarios';
import { requestKey } from './injection-points';
import type { Lane } from './lanes';
import type { RestartableProxy } from './restartable-proxy';
import type { RotatorStatement } from './rotator-statements';
import { onRotatorStatements } from './rotator-statements';
import type { RelayFault } from './sm-relay';

/** How long a held request or statement stays in flight: well past {@link STEP_TIMEOUT_MS}. */
export const HOLD_MS = 750;
/** The Lambda timeout of a step that must time out. */
export const STEP_TIMEOUT_MS = 250;

/** The process "died": Lambda reports Runtime.ExitError for the invocation. */
export class SimulatedExit extends Error {
  constructor() {
    super('Runtime exited with error: signal: killed');
    this.name = 'Runtime.ExitError';
  }
}

export interface ArmedFault {
  disarm(): void;
  /** Rejects when the fault kills the invocation. */
  readonly killed: Promise<never> | undefined;
}

export interface ArmingContext {
  readonly lane: Lane;
  /** The scenario's secrets, to name its Secrets Manager calls. */
  readonly secrets: { readonly arn: string; readonly adminArn: string | undefined };
  /** Roles of the scenario: statements of other sessions are never touched. */
  readonly roles: readonly string[];
  readonly proxy: RestartableProxy | undefined;
}

/**
 * Arms the fault if `step` is its target (once per scenario; `transient` throttling arms in every step of the first
 * rotation instead). Returns undefined when nothing is armed.
 */
export function armFault(fault: Fault, step: RotationStep, ctx: ArmingContext): ArmedFault | undefined {
  const smFault = (spec: Omit<RelayFault, 'matches'> & { readonly key: string }): ArmedFault => {
    const armed = ctx.lane.relay.arm({ ...spec, matches: (request) => requestKey(request, ctx.secrets) === spec.key });
    return { disarm: () => armed.disarm(), killed: undefined };
  };
  const describeFirst = { key: 'DescribeSecret(secret)', nth: 1, kind: 'throttle', when: 'before' } as const;
  if (fault.family === 'sm-throttle' && !fault.persistent) return smFault({ ...describeFirst, attempts: 'first' });
  if (fault.family === 'lock-timeout' || step !== fault.step) return undefined;
  switch (fault.family) {
    case 'sm-500':
      // Every attempt the SDK makes of the call, so the call fails for the function.
      return smFault({ key: fault.operation, nth: fault.nth, attempts: 'all', kind: 'internal-error', when: fault.when });
    case 'sm-throttle':
      return smFault({ ...describeFirst, attempts: 'all' });
    case 'timeout':
      if (fault.at === 'request') return smFault({ key: fault.name, nth: fault.nth, attempts: 'first', kind: 'latency', when: 'before', latencyMs: HOLD_MS });
      return atStatement(ctx, fault.name, fault.nth, { before: () => sleep(HOLD_MS) });
    case 'db-drop':
      return atStatement(ctx, fault.statement, fault.nth, fault.when === 'before'
        ? { before: (s) => terminateBackend(backendPid(s)) }
        : { after: async (s) => { await terminateBackend(backendPid(s)); throw await errorOfDeadSession(s.client); } });
    case 'db-restart': {
      const restart = async () => {
        await terminateRotatorSessions(ctx.roles);
        await ctx.proxy?.down();
      };
      return atStatement(ctx, fault.statement, fault.nth, fault.when === 'before'
        ? { before: restart }
        : { after: async (s) => { await restart(); throw await errorOfDeadSession(s.client); } });
    }
    case 'crash': {
      let kill: (error: Error) => void = () => undefined;
      const killed = new Promise<never>((_, reject) => (kill = reject));
      const armed = atStatement(ctx, fault.statement, fault.nth, {
        after: async (s) => {
          // A dead process sends nothing more: its socket closes, so the server ends the backend and rolls back.
          await terminateBackend(backendPid(s));
          kill(new SimulatedExit());
          await new Promise<never>(() => undefined);
        },
      });
      return { ...armed, killed };
    }
  }
}

type StatementHarm = {
  readonly before?: (statement: RotatorStatement) => Promise<unknown>;
  readonly after?: (statement: RotatorStatement) => Promise<unknown>;
};

/** Does `harm` at the nth statement of a kind that one of the scenario's roles sends while armed. */
function atStatement(ctx: ArmingContext, kind: string, nth: number, harm: StatementHarm): ArmedFault {
  let seen = 0;
  let target: RotatorStatement | undefined;
  const remove = onRotatorStatements({
    before: async (statement) => {
      if (!ctx.roles.includes(statement.user) || statement.kind !== kind) return;
      seen += 1;
      if (seen !== nth) return;
      target = statement;
      await harm.before?.(statement);
    },
    after: async (statement) => {
      if (statement === target) await harm.after?.(statement);
    },
  });
  return { disarm: remove, killed: undefined };
}

/** node-postgres keeps the server's BackendKeyData pid on the client; its typings leave it out. */
function backendPid(statement: RotatorStatement): number {
  return (statement.client as unknown as { processID: number }).processID;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
