/**
 * Where a rotation can be hurt, found by counting rather than by reading the code: one clean rotation per strategy
 * records, step by step, every call the function made to Secrets Manager (by what it asked for) and every statement
 * pg-rotator sent to PostgreSQL (by kind). The fault scenarios are generated from these counts, so a call added
 * to a step tomorrow gets its own scenarios without anyone editing the list.
 */
import type { Strategy } from '../../../lambda/config/environment';
import { handleRotationEvent } from '../../../lambda/handlers/rotation';
import { ROTATION_STEPS } from '../../../lambda/rotation/rotation-event';
import type { RotationStep } from '../../../lambda/rotation/rotation-event';
import { uniqueName } from '../../support/postgres';
import type { Lane } from './lanes';
import { onRotatorStatements } from './rotator-statements';
import type { RelayedRequest } from './sm-relay';
import type { StrategySecret } from './strategy-secrets';
import { createStrategySecret } from './strategy-secrets';

/**
 * A Secrets Manager call named by what it asks for, e.g. `GetSecretValue(secret, AWSPENDING, by version id)`, with
 * the secret named by its part in the rotation rather than its ARN, so profiles and scenarios of different secrets
 * name the same call alike.
 */
export function requestKey(request: RelayedRequest, secrets: { readonly arn: string; readonly adminArn: string | undefined }): string {
  const input = request.input;
  const id = String(input.SecretId ?? '');
  const secret = id === secrets.arn ? 'secret' : id === secrets.adminArn ? 'admin secret' : 'another secret';
  switch (request.operation) {
    case 'GetSecretValue':
      return `GetSecretValue(${[secret, input.VersionStage, input.VersionId === undefined ? undefined : 'by version id'].filter(Boolean).join(', ')})`;
    case 'PutSecretValue':
      return `PutSecretValue(${secret}, ${((input.VersionStages as string[] | undefined) ?? ['AWSCURRENT']).join('+')})`;
    case 'UpdateSecretVersionStage':
      return `UpdateSecretVersionStage(${secret}, ${String(input.VersionStage)})`;
    default:
      return `${request.operation}(${secret})`;
  }
}

/** The nth call with a given key within one step, or the nth statement of a kind. */
export interface CallPoint {
  readonly step: RotationStep;
  readonly name: string;
  readonly nth: number;
}

/** What one clean rotation of a strategy did, step by step. */
export interface RotationProfile {
  readonly strategy: Strategy;
  /** 1: the secret's first rotation (alternating users create their second login); 2: a later one. */
  readonly rotation: 1 | 2;
  readonly smCalls: readonly CallPoint[];
  readonly statements: readonly CallPoint[];
}

/**
 * Rotates a fresh secret of `strategy` once (twice for `rotation: 2`, profiling the second) and records what each
 * step sent. `arrange` adds to the secret before it rotates, as the scenarios will (runScenario's hooks).
 */
export async function profileRotation(
  stack: Lane,
  strategy: Strategy,
  rotation: 1 | 2,
  arrange?: (lane: Lane, secret: StrategySecret) => Promise<void>,
): Promise<RotationProfile> {
  const secret = await createStrategySecret(stack, stack.database, strategy);
  await arrange?.(stack, secret);
  if (rotation === 2 && !(await stack.rotate(secret.arn)).succeeded) throw new Error(`profiling ${strategy}: the first rotation failed`);

  const smCalls: CallPoint[] = [];
  const statements: CallPoint[] = [];
  let step: RotationStep = 'createSecret';
  const stop = onRotatorStatements({
    before: (statement) => {
      if (!secret.roles.includes(statement.user)) return;
      const nth = statements.filter((p) => p.step === step && p.name === statement.kind).length + 1;
      statements.push({ step, name: statement.kind, nth });
    },
  });
  const stopWatching = stack.relay.watch((request) => {
    const key = requestKey(request, secret);
    if (seenCalls.has(request.invocationId)) return;
    seenCalls.add(request.invocationId);
    const nth = smCalls.filter((p) => p.step === step && p.name === key).length + 1;
    smCalls.push({ step, name: key, nth });
  });
  const seenCalls = new Set<string>();
  const name = `profile-${uniqueName('f').replaceAll('_', '-')}`.slice(0, 64);
  const arn = stack.lambda.register(name, {
    kind: 'in-process',
    handler: async (event) => {
      step = (event as { Step: RotationStep }).Step;
      return handleRotationEvent(event, stack.runtime);
    },
  });
  try {
    const outcome = await stack.rotateWith(secret.arn, arn);
    // A retried rotation would count its calls twice: the profile is of one clean attempt.
    if (!outcome.succeeded || outcome.attempt !== 1) throw new Error(`profiling ${strategy}: ${outcome.failedStep} failed: ${outcome.error?.message}`);
  } finally {
    stop();
    stopWatching();
  }
  return { strategy, rotation, smCalls, statements };
}

/** The steps in order, for sorting points. */
export function stepIndex(step: RotationStep): number {
  return ROTATION_STEPS.indexOf(step);
}
