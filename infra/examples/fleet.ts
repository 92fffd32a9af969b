/**
 * The fleet guide's example (docs/fleet.md), synthesized by test/infra/fleet-example.test.ts: pg-rotator for many
 * accounts, regions and VPCs. Each target (an account, a region, a VPC) gets one Stage: a central PgRotatorStack with
 * its own rotation function, which publishes the function's ARN in an SSM parameter, and the teams' stacks there,
 * which attach their own secrets to it. Nothing crosses an account or a region: a rotation schedule names a function
 * of the secret's own account and region. A CDK Pipeline deploys the stages (`pipeline.addStage`), one wave per
 * environment class.
 */
import { Stack, Stage, type StageProps } from 'aws-cdk-lib';
import * as pipelines from 'aws-cdk-lib/pipelines';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { parseConfig } from '../config/load';
import type { PgRotatorConfigInput } from '../config/schema';
import type { FunctionCodeSource } from '../constructs/function-code';
import { PgRotatorAttachment } from '../constructs/pg-rotator-attachment';
import { PgRotatorStack } from '../pg-rotator-stack';

/** One application secret a team attaches. */
export interface TeamSecret {
  /** The construct id and secret name suffix. */
  readonly name: string;
  readonly schedule: string;
  readonly window: string;
  /** An admin strategy's login; single-user when absent. */
  readonly username?: string;
}

/** Where one pg-rotator lives: an account, a region, a VPC, and the databases' admin secrets there. */
export interface FleetTarget {
  /** A short name, unique in the fleet: it names the stage, the function and the SSM parameter. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly vpcId: string;
  readonly availabilityZones: readonly string[];
  readonly subnetIds: readonly string[];
  readonly databaseSecurityGroupIds: readonly string[];
  /** The admin secrets of this VPC's databases (one each): the allow list attached secrets may name. */
  readonly adminSecretArns: readonly string[];
  /** The teams whose stacks attach secrets here, and what each attaches under which admin secret. */
  readonly teams: readonly { readonly name: string; readonly adminSecretArn: string; readonly secrets: readonly TeamSecret[] }[];
}

/** The SSM parameter a target's central stack writes its rotation function's ARN to. */
export const functionArnParameter = (target: FleetTarget) => `/pg-rotator/${target.name}/rotation-function-arn`;

/** One target's central config: no scheduled secret of its own, attachments only, grants by condition. */
export function centralConfig(target: FleetTarget): PgRotatorConfigInput {
  return {
    stackName: `PgRotator-${target.name}`,
    env: { account: target.account, region: target.region },
    function: { functionName: `pg-rotator-${target.name}` },
    network: {
      vpcId: target.vpcId,
      availabilityZones: [...target.availabilityZones],
      subnetIds: [...target.subnetIds],
      databases: target.databaseSecurityGroupIds.map((securityGroupId) => ({ securityGroupId, addIngressRule: true })),
      secretsManagerAccess: { mode: 'create-endpoint' },
    },
    secrets: [],
    attachments: { adminSecrets: target.adminSecretArns.map((arn) => ({ arn })), functionArnParameter: functionArnParameter(target) },
  };
}

/** Props of {@link RotatorStage}. */
export interface RotatorStageProps extends StageProps {
  readonly target: FleetTarget;
  /** @default the package's shipped bundle (PgRotatorStack's default) */
  readonly functionCode?: FunctionCodeSource;
}

/** One target, deployable as a unit (a CDK Pipelines stage): the central stack, then the teams' stacks. */
export class RotatorStage extends Stage {
  readonly central: PgRotatorStack;
  readonly teams: readonly Stack[];

  constructor(scope: Construct, id: string, props: RotatorStageProps) {
    const { target } = props;
    super(scope, id, { ...props, env: { account: target.account, region: target.region } });
    this.central = new PgRotatorStack(this, 'PgRotator', { config: parseConfig(centralConfig(target), `fleet target ${target.name}`), functionCode: props.functionCode });
    this.teams = target.teams.map((team) => {
      const stack = new Stack(this, `Team-${team.name}`, { env: { account: target.account, region: target.region } });
      // The parameter exists before a team's first deploy; no CloudFormation export ties the stacks together.
      stack.addDependency(this.central);
      const rotationFunctionArn = ssm.StringParameter.valueForStringParameter(stack, functionArnParameter(target));
      const adminSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'AdminSecret', team.adminSecretArn);
      for (const secret of team.secrets) {
        new PgRotatorAttachment(stack, `${secret.name}Rotation`, {
          secret: new secretsmanager.Secret(stack, secret.name, { secretName: `${team.name}/${secret.name}` }),
          rotationFunctionArn,
          schedule: secret.schedule,
          window: secret.window,
          ...(secret.username === undefined ? {} : { strategy: 'alternating' as const, adminSecret, username: secret.username }),
        });
      }
      return stack;
    });
  }
}

/** The example fleet: two accounts, two regions, two VPCs in one of them. */
export const EXAMPLE_FLEET: readonly FleetTarget[] = [
  {
    name: 'prod-eu-orders',
    account: '111111111111',
    region: 'eu-west-1',
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    subnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722'],
    databaseSecurityGroupIds: ['sg-0a1b2c3d4e5f60733'],
    adminSecretArns: ['arn:aws:secretsmanager:eu-west-1:111111111111:secret:db/orders/admin-GhI789'],
    teams: [
      {
        name: 'orders',
        adminSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db/orders/admin-GhI789',
        secrets: [
          { name: 'OrdersApp', schedule: 'cron(0 2 ? * SUN *)', window: '2h', username: 'orders_app' },
          { name: 'OrdersBatch', schedule: 'cron(0 4 ? * SUN *)', window: '2h' },
        ],
      },
    ],
  },
  {
    name: 'prod-eu-billing',
    account: '111111111111',
    region: 'eu-west-1',
    vpcId: 'vpc-0b1b2c3d4e5f60718',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    subnetIds: ['subnet-0b1b2c3d4e5f60711', 'subnet-0b1b2c3d4e5f60722'],
    databaseSecurityGroupIds: ['sg-0b1b2c3d4e5f60733'],
    adminSecretArns: ['arn:aws:secretsmanager:eu-west-1:111111111111:secret:db/billing/admin-JkL012'],
    teams: [
      {
        name: 'billing',
        adminSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:db/billing/admin-JkL012',
        secrets: [{ name: 'Ledger', schedule: 'cron(0 3 ? * SAT *)', window: '3h', username: 'ledger' }],
      },
    ],
  },
  {
    name: 'prod-us-orders',
    account: '222222222222',
    region: 'us-east-2',
    vpcId: 'vpc-0c1b2c3d4e5f60718',
    availabilityZones: ['us-east-2a', 'us-east-2b'],
    subnetIds: ['subnet-0c1b2c3d4e5f60711', 'subnet-0c1b2c3d4e5f60722'],
    databaseSecurityGroupIds: ['sg-0c1b2c3d4e5f60733'],
    adminSecretArns: ['arn:aws:secretsmanager:us-east-2:222222222222:secret:db/orders/admin-MnO345'],
    teams: [
      {
        name: 'orders',
        adminSecretArn: 'arn:aws:secretsmanager:us-east-2:222222222222:secret:db/orders/admin-MnO345',
        secrets: [{ name: 'OrdersApp', schedule: 'cron(0 8 ? * SUN *)', window: '2h', username: 'orders_app' }],
      },
    ],
  },
];

/** Where the fleet's pipeline lives and what it builds from. */
export interface FleetPipelineProps {
  /** The tooling account and region the pipeline runs in; every target account trusts it (`cdk bootstrap --trust`). */
  readonly env: { readonly account: string; readonly region: string };
  /** The repository holding this CDK app, through a CodeConnections connection. */
  readonly repository: string;
  readonly connectionArn: string;
  readonly fleet: readonly FleetTarget[];
}

/**
 * The fleet's rollout: one CDK Pipeline deploying every target's stage, the central stack before its teams' stacks
 * (their dependency), across accounts and regions, with the assets (the function bundle) published to each target's
 * bootstrap bucket by the pipeline.
 */
export function fleetPipeline(scope: Construct, id: string, props: FleetPipelineProps): pipelines.CodePipeline {
  const stack = new Stack(scope, id, { env: props.env });
  const pipeline = new pipelines.CodePipeline(stack, 'Pipeline', {
    crossAccountKeys: true,
    synth: new pipelines.ShellStep('Synth', {
      input: pipelines.CodePipelineSource.connection(props.repository, 'main', { connectionArn: props.connectionArn }),
      commands: ['npm ci', 'npx cdk synth'],
    }),
  });
  for (const target of props.fleet) pipeline.addStage(new RotatorStage(stack, target.name, { target }));
  return pipeline;
}
