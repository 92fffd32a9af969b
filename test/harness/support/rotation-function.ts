/**
 * A rotation function shaped like AWS's templates, registered on a harness suite's local Lambda, for the suites that
 * test RotateSecret and Secrets Manager's retries: the pre-step gate on DescribeSecret, createSecret storing a
 * generated value under the token with AWSPENDING, finishSecret moving AWSCURRENT. It records what it received (the
 * RotationToken only as "present") and can be told to fail, pause, or record the pending value it was given.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import type { LocalSecretsManagerFixture } from './local-aws';

const RotationEventSchema = z.object({
  Step: z.enum(['createSecret', 'setSecret', 'testSecret', 'finishSecret']),
  SecretId: z.string(),
  ClientRequestToken: z.string(),
  RotationToken: z.string(),
});
type RotationEvent = z.infer<typeof RotationEventSchema>;
export type Step = RotationEvent['Step'];

/** A latch a test opens when it is ready for the function to go on. */
export function latch(): { wait: Promise<void>; open(): void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

export interface FunctionBehaviour {
  /** Throw at this step, before doing its work. */
  failAt?: Step;
  /** Throw at this step after doing its work (the answer is lost, as when the invocation times out). */
  failAfter?: Step;
  /** How many times `failAt` / `failAfter` fires. @default every time */
  failTimes?: number;
  /** Wait for this latch when this step starts. */
  pauseAt?: { step: Step; until: Promise<void>; reached?: () => void };
}

export interface RegisteredFunction {
  readonly arn: string;
  /** Every event received, without its RotationToken. */
  readonly events: Omit<RotationEvent, 'RotationToken'>[];
  /** The distinct RotationTokens received. */
  readonly rotationTokens: Set<string>;
  /** What GetSecretValue(VersionId=token, VersionStage=AWSPENDING) answered at each testSecret. */
  readonly pendingAtTest: GetSecretValueCommandOutput[];
  maxConcurrent(): number;
}

/**
 * Registers the function on the fixture's local Lambda under `name` (a fresh one by default); registering again
 * under the same name replaces the code, as UpdateFunctionCode does.
 */
export function registerRotationFunction(
  local: LocalSecretsManagerFixture,
  behaviour: FunctionBehaviour = {},
  name = `rotator-${randomUUID().slice(0, 8)}`,
): RegisteredFunction {
  const events: Omit<RotationEvent, 'RotationToken'>[] = [];
  const rotationTokens = new Set<string>();
  const pendingAtTest: GetSecretValueCommandOutput[] = [];
  let active = 0;
  let maxActive = 0;
  let failures = 0;
  const fn = local.clientWith({ maxAttempts: 1 });
  const failsNow = (at: Step | undefined, step: Step): boolean => {
    if (at !== step || failures >= (behaviour.failTimes ?? Number.POSITIVE_INFINITY)) return false;
    failures += 1;
    return true;
  };

  const work = async ({ Step, SecretId, ClientRequestToken: token, RotationToken }: RotationEvent) => {
    const metadata = await fn.send(new DescribeSecretCommand({ SecretId }));
    const stages = metadata.VersionIdsToStages?.[token];
    if (!stages) throw new Error(`version ${token} has no stage`);
    if (stages.includes('AWSCURRENT')) return;
    if (!stages.includes('AWSPENDING')) throw new Error(`version ${token} is not AWSPENDING`);
    if (Step === 'createSecret') {
      try {
        await fn.send(new GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        const { RandomPassword } = await fn.send(new GetRandomPasswordCommand({ ExcludePunctuation: true }));
        await fn.send(
          new PutSecretValueCommand({
            SecretId,
            ClientRequestToken: token,
            SecretString: JSON.stringify({ password: RandomPassword }),
            VersionStages: ['AWSPENDING'],
            RotationToken,
          }),
        );
      }
    } else if (Step === 'finishSecret') {
      const current = Object.entries(metadata.VersionIdsToStages ?? {}).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
      await fn.send(
        new UpdateSecretVersionStageCommand({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }),
      );
    } else {
      const pending = await fn.send(new GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }));
      if (Step === 'testSecret') pendingAtTest.push(pending);
    }
  };

  const handler = async (raw: unknown) => {
    const event = RotationEventSchema.parse(raw);
    const { Step, SecretId, ClientRequestToken } = event;
    events.push({ Step, SecretId, ClientRequestToken });
    rotationTokens.add(event.RotationToken);
    active += 1;
    maxActive = Math.max(maxActive, active);
    try {
      if (behaviour.pauseAt?.step === Step) {
        behaviour.pauseAt.reached?.();
        await behaviour.pauseAt.until;
      }
      if (failsNow(behaviour.failAt, Step)) throw new Error(`${Step} failed on purpose`);
      await work(event);
      if (failsNow(behaviour.failAfter, Step)) throw new Error(`${Step} did its work, then failed on purpose`);
    } finally {
      active -= 1;
    }
  };
  const arn = local.lambda.register(name, { kind: 'in-process', handler });
  return { arn, events, rotationTokens, pendingAtTest, maxConcurrent: () => maxActive };
}
