import { createHash } from 'node:crypto';
import { NestedStack } from 'aws-cdk-lib';
import type { IDependable } from 'constructs';
import { Construct } from 'constructs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { InvalidInputError } from '../../lambda/errors';
import { scheduleProblem } from '../config/schedule';
import type { SecretBinding } from './secret-binding';

/** A secret the function rotates, when, and how it is bound ({@link SecretBinding}). */
export interface RotatedSecret extends SecretBinding {
  /** The secret. Import with `Secret.fromSecretAttributes` and give `encryptionKey` when it uses a customer key. */
  readonly secret: secretsmanager.ISecret;
  /**
   * `rate(N hours|days)` (at least 4 hours) or `cron(0 H DOM MON DOW *)`, UTC. Cron is the one to use when
   * rotations must not drift, e.g. to stagger the two users of an alternating pair.
   */
  readonly schedule: string;
  /**
   * The rotation window (`RotationRules.Duration`), `1h` to `24h`; it must end before the next window and the
   * end of the UTC day.
   * @default - AWS's default: the window closes after 1 hour for hourly schedules, at the end of the UTC day otherwise
   */
  readonly window?: string;
  /** Rotate when the schedule is created or changed. @default true (CloudFormation's default) */
  readonly rotateImmediatelyOnUpdate?: boolean;
}

/** Props of {@link RotationSchedules}. */
export interface RotationSchedulesProps {
  /** The rotation function. */
  readonly function: lambda.IFunction;
  /** The secrets and their schedules. */
  readonly rotations: readonly RotatedSecret[];
  /** What must exist first: the invoke permission and the role's secret policies (rotation may start at once). */
  readonly dependsOn: readonly IDependable[];
  /**
   * How many nested stacks hold the schedules; each secret goes to the one a hash of its construct id picks, so adding
   * or removing a secret never moves another. Absent: the schedules stay in this stack, up to
   * {@link SCHEDULES_PER_TEMPLATE}.
   * @default - in this stack
   */
  readonly nestedStacks?: number;
}

/**
 * The most rotation schedules one template holds here: CloudFormation allows 500 resources per stack ("CloudFormation
 * quotas"), and the stack around them has a few dozen (functions, roles, policies, alarms, network), more with
 * orchestrator profiles. Past it, split the schedules into nested stacks or attach them from the stacks that own the
 * secrets (docs/fleet.md).
 */
export const SCHEDULES_PER_TEMPLATE = 400;

/** The most nested stacks of schedules: 25 of up to 400 each hold 10,000 with room for an uneven hash. */
export const MAX_SCHEDULE_STACKS = 50;

/**
 * Which of `stacks` nested stacks holds a secret's schedule: a hash of its construct id, the same id that names the
 * schedule, so it depends on that secret alone.
 */
export function scheduleStackOf(secretId: string, stacks: number): number {
  return createHash('sha256').update(secretId).digest().readUInt32BE(0) % stacks;
}

/**
 * One `AWS::SecretsManager::RotationSchedule` per secret, written at the L1 level because CDK's
 * `addRotationSchedule` has neither cron expressions nor windows (aws/aws-cdk#24062) and adds an invoke
 * permission without `aws:SourceAccount`. In this stack, or spread over nested stacks (`nestedStacks`).
 *
 * A schedule must never move between templates once deployed: CloudFormation creates it in the new place and then, in
 * its cleanup, deletes the old one, which cancels the secret's rotation (aws-cloudformation/cloudformation-coverage-
 * roadmap#1813). So the layout is the deployer's explicit choice, and a secret's place depends on its id alone.
 */
export class RotationSchedules extends Construct {
  /** The schedules, in the order of `rotations`. */
  readonly schedules: readonly secretsmanager.CfnRotationSchedule[];
  /** The nested stacks holding them, when `nestedStacks` is set (only those that hold a schedule). */
  readonly stacks: readonly NestedStack[];

  constructor(scope: Construct, id: string, props: RotationSchedulesProps) {
    super(scope, id);
    const shards = props.nestedStacks;
    if (shards === undefined && props.rotations.length > SCHEDULES_PER_TEMPLATE) {
      throw new InvalidInputError(
        'rotations',
        `has ${props.rotations.length} rotation schedules, more than one template holds here (${SCHEDULES_PER_TEMPLATE}; CloudFormation allows 500 resources a stack): spread them over nested stacks (scheduleStacks, e.g. ${Math.ceil(props.rotations.length / 250)}), or attach them from the stacks that own the secrets (PgRotatorAttachment, docs/fleet.md)`,
      );
    }
    if (shards !== undefined && (!Number.isInteger(shards) || shards < 1 || shards > MAX_SCHEDULE_STACKS)) {
      throw new InvalidInputError('scheduleStacks', `must be a whole number from 1 to ${MAX_SCHEDULE_STACKS}`);
    }
    const nested = new Map<number, NestedStack>();
    const home = (secretId: string): Construct => {
      if (shards === undefined) return this;
      const index = scheduleStackOf(secretId, shards);
      let stack = nested.get(index);
      if (stack === undefined) {
        stack = new NestedStack(this, `Schedules${index + 1}of${shards}`, { description: `pg-rotator: rotation schedules, part ${index + 1} of ${shards}` });
        nested.set(index, stack);
      }
      return stack;
    };
    this.schedules = props.rotations.map((rotation, index) => {
      const problem = scheduleProblem(rotation.schedule, rotation.window);
      if (problem) throw new InvalidInputError(`rotations[${index}].${problem.field}`, problem.problem);
      // Named after the secret's construct id, not its position, so reordering the list does not replace
      // (and, with rotateImmediatelyOnUpdate, re-rotate) every schedule after the change.
      const schedule = new secretsmanager.CfnRotationSchedule(home(rotation.secret.node.id), rotation.secret.node.id, {
        secretId: rotation.secret.secretArn,
        rotationLambdaArn: props.function.functionArn,
        rotationRules: { scheduleExpression: rotation.schedule, duration: rotation.window },
        rotateImmediatelyOnUpdate: rotation.rotateImmediatelyOnUpdate ?? true,
      });
      schedule.node.addDependency(...props.dependsOn);
      return schedule;
    });
    for (const [index, stack] of nested) {
      const count = stack.node.children.filter((child) => child instanceof secretsmanager.CfnRotationSchedule).length;
      if (count > SCHEDULES_PER_TEMPLATE) {
        throw new InvalidInputError('scheduleStacks', `puts ${count} schedules in part ${index + 1} of ${shards}, more than ${SCHEDULES_PER_TEMPLATE}: raise it`);
      }
    }
    this.stacks = [...nested.values()];
  }
}
