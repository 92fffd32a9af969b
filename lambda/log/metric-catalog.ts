import type { Metric, MetricSet, MetricUnit } from './metrics';

/**
 * Every metric pg-rotator emits, with its unit and dimension sets: the one list docs/operations.md's metrics
 * reference is checked against (what each means is said there, not here, to keep the bundle small). Each is written on a log line the function writes anyway (`metrics.ts`):
 * - rotation: on each step's line (`rotation/run-step.ts`);
 * - orchestrator and status requests: on the request's audit line (`audit/audit-record.ts`);
 * - the status check: on its summary line (`status/`).
 * Dimension values are bounded: a step, an outcome, an error code, a strategy, a request kind, an action name.
 */
export const METRIC_CATALOG = {
  // Rotation steps, on each step's line.
  StepDuration: { unit: 'Milliseconds', by: [['Step', 'Outcome']] },
  StepFailures: { unit: 'Count', by: [['Code'], ['Step'], []] },
  RotationsCompleted: { unit: 'Count', by: [['Strategy'], []] },
  RotationDuration: { unit: 'Milliseconds', by: [['Strategy'], []] },
  // Orchestrator and status requests, on the audit line.
  Requests: { unit: 'Count', by: [['Kind', 'Outcome']] },
  RequestDuration: { unit: 'Milliseconds', by: [['Kind']] },
  RequestFailures: { unit: 'Count', by: [['Code']] },
  Actions: { unit: 'Count', by: [['Action', 'Outcome']] },
  // The status check, on its summary line: one count per finding kind.
  ManagedSecrets: { unit: 'Count', by: [[]] },
  StuckSecrets: { unit: 'Count', by: [[]] },
  OverdueSecrets: { unit: 'Count', by: [[]] },
  RotationDisabledSecrets: { unit: 'Count', by: [[]] },
  StatusIncomplete: { unit: 'Count', by: [[]] },
} as const satisfies Record<string, { unit: MetricUnit; by: readonly (readonly string[])[] }>;

export type MetricName = keyof typeof METRIC_CATALOG;

/** A step's outcome as its metrics count it. */
export type StepOutcomeLabel = 'succeeded' | 'failed';

/** How a request ended, as its metrics count it: the audit outcome, with dry runs and refusals told apart. */
export type RequestOutcomeLabel = 'ok' | 'dry-run' | 'refused' | 'error' | 'rejected';

function metric(name: MetricName, value: number): Metric {
  const { unit, by } = METRIC_CATALOG[name];
  return { name, unit, value, by };
}

/**
 * The metrics of one rotation step's line. `rotation` is given when the step completed a rotation (finishSecret
 * moved AWSCURRENT); its duration only when this container saw the rotation start.
 */
export function stepMetrics(step: {
  readonly step: string;
  readonly outcome: StepOutcomeLabel;
  readonly durationMs: number;
  readonly code?: string;
  readonly rotation?: { readonly strategy: string; readonly durationMs?: number };
}): MetricSet {
  const metrics = [metric('StepDuration', step.durationMs)];
  if (step.outcome === 'failed') metrics.push(metric('StepFailures', 1));
  if (step.rotation !== undefined) {
    metrics.push(metric('RotationsCompleted', 1));
    if (step.rotation.durationMs !== undefined) metrics.push(metric('RotationDuration', step.rotation.durationMs));
  }
  return {
    dimensions: { Step: step.step, Outcome: step.outcome, Code: step.code ?? 'none', Strategy: step.rotation?.strategy ?? 'unknown' },
    metrics,
  };
}

/** The metrics of one request's audit line. `action` is a known action name, or left out. */
export function requestMetrics(request: {
  readonly kind: string;
  readonly outcome: RequestOutcomeLabel;
  readonly durationMs: number;
  readonly code?: string;
  readonly action?: string;
}): MetricSet {
  const metrics = [metric('Requests', 1), metric('RequestDuration', request.durationMs)];
  if (request.code !== undefined) metrics.push(metric('RequestFailures', 1));
  if (request.action !== undefined) metrics.push(metric('Actions', 1));
  return {
    dimensions: { Kind: request.kind, Outcome: request.outcome, Code: request.code ?? 'none', Action: request.action ?? 'none' },
    metrics,
  };
}

/** The metrics of a status check's summary line: one count per finding kind. */
export function statusMetrics(counts: {
  readonly managed: number;
  readonly stuck: number;
  readonly overdue: number;
  readonly rotationDisabled: number;
  readonly complete: boolean;
}): MetricSet {
  return {
    dimensions: {},
    metrics: [
      metric('ManagedSecrets', counts.managed),
      metric('StuckSecrets', counts.stuck),
      metric('OverdueSecrets', counts.overdue),
      metric('RotationDisabledSecrets', counts.rotationDisabled),
      metric('StatusIncomplete', counts.complete ? 0 : 1),
    ],
  };
}
