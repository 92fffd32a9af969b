import type { IDependable } from 'constructs';
import { Construct } from 'constructs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Strategy } from '../../lambda/config/environment';
import { InvalidInputError } from '../../lambda/errors';
import { scheduleProblem } from '../config/schedule';

/** A secret the function rotates, and when. */
export interface RotatedSecret {
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
  /**
   * The admin (master) secret whose login changes the password, read-only for the function. Bound at deploy time:
   * a secret whose `masterarn` names another is refused.
   * @default - none (single-user)
   */
  readonly adminSecret?: secretsmanager.ISecret;
  /**
   * The strategy. Bound at deploy time, with the admin secret, the login(s) and the owner role: the rotation takes
   * them from here (the bindings file the construct writes), never from the secret's value, and refuses a value that
   * disagrees.
   * @default - with adminSecret: `connection.defaultStrategy`, else 'alternating' (what AWS's functions do with a
   * masterarn); without: 'single-user'
   */
  readonly strategy?: Strategy;
  /** The login the secret holds. Required for the admin strategies: the admin changes only this login (and its pair). */
  readonly username?: string;
  /** The alternating pair's second login. @default - `<username>_clone` (AWS's scheme) */
  readonly alternateUsername?: string;
  /** alternating-owner: the NOLOGIN role both logins act as. */
  readonly ownerRole?: string;
  /**
   * Companion secrets, one per login, each holding that login's newest password (for RDS Proxy): the function may
   * describe and write them, never read them. @default - none
   */
  readonly companionSecrets?: { readonly username?: secretsmanager.ISecret; readonly alternateUsername?: secretsmanager.ISecret };
}

/** Props of {@link RotationSchedules}. */
export interface RotationSchedulesProps {
  /** The rotation function. */
  readonly function: lambda.IFunction;
  /** The secrets and their schedules. */
  readonly rotations: readonly RotatedSecret[];
  /** What must exist first: the invoke permission and the role's secret policies (rotation may start at once). */
  readonly dependsOn: readonly IDependable[];
}

/**
 * One `AWS::SecretsManager::RotationSchedule` per secret, written at the L1 level because CDK's
 * `addRotationSchedule` has neither cron expressions nor windows (aws/aws-cdk#24062) and adds an invoke
 * permission without `aws:SourceAccount`.
 */
export class RotationSchedules extends Construct {
  /** The schedules, in the order of `rotations`. */
  readonly schedules: readonly secretsmanager.CfnRotationSchedule[];

  constructor(scope: Construct, id: string, props: RotationSchedulesProps) {
    super(scope, id);
    this.schedules = props.rotations.map((rotation, index) => {
      const problem = scheduleProblem(rotation.schedule, rotation.window);
      if (problem) throw new InvalidInputError(`rotations[${index}].${problem.field}`, problem.problem);
      // Named after the secret's construct id, not its position, so reordering the list does not replace
      // (and, with rotateImmediatelyOnUpdate, re-rotate) every schedule after the change.
      const schedule = new secretsmanager.CfnRotationSchedule(this, rotation.secret.node.id, {
        secretId: rotation.secret.secretArn,
        rotationLambdaArn: props.function.functionArn,
        rotationRules: { scheduleExpression: rotation.schedule, duration: rotation.window },
        rotateImmediatelyOnUpdate: rotation.rotateImmediatelyOnUpdate ?? true,
      });
      schedule.node.addDependency(...props.dependsOn);
      return schedule;
    });
  }
}
