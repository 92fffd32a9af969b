// A platform team's CDK app, as a user of the installed package writes it (scripts/package/check-package.ts copies it
// into a scratch directory outside the repository, compiles it with tsc and synthesizes it with the aws-cdk CLI).
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PgRotator, type RotatedSecret } from 'pg-rotator';
import { PgRotatorAttachment } from 'pg-rotator/attachment';

const env = { account: '123456789012', region: 'eu-west-1' };
const secretArn = (name: string) => `arn:aws:secretsmanager:${env.region}:${env.account}:secret:${name}`;
const app = new App();

// The central deployment: one rotation function for the account's VPC, secrets scheduled here and attached elsewhere.
const central = new Stack(app, 'PgRotatorCentral', { env });
const vpc = ec2.Vpc.fromVpcAttributes(central, 'Vpc', { vpcId: 'vpc-0a1b2c3d4e5f60718', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
const subnets = ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722'].map((subnetId) =>
  ec2.Subnet.fromSubnetAttributes(central, subnetId, { subnetId, routeTableId: 'rtb-0a1b2c3d4e5f60799' }),
);
const ordersAdmin = secretsmanager.Secret.fromSecretCompleteArn(central, 'OrdersAdmin', secretArn('prod/orders/admin-GhI789'));
const rotations: RotatedSecret[] = [
  { secret: secretsmanager.Secret.fromSecretCompleteArn(central, 'App', secretArn('prod/orders/app-AbC123')), schedule: 'cron(0 2 ? * SUN *)', window: '2h' },
  {
    secret: secretsmanager.Secret.fromSecretCompleteArn(central, 'Reporting', secretArn('prod/orders/reporting-DeF456')),
    schedule: 'cron(0 4 ? * SUN *)',
    window: '2h',
    strategy: 'alternating',
    adminSecret: ordersAdmin,
    username: 'reporting',
  },
];
const rotator = new PgRotator(central, 'PgRotator', {
  vpc,
  vpcSubnets: { subnets },
  databases: [{ securityGroup: ec2.SecurityGroup.fromSecurityGroupId(central, 'Db', 'sg-0a1b2c3d4e5f60733', { mutable: false }) }],
  secretsManagerAccess: { mode: 'create-endpoint' },
  rotations,
  taggedRotations: { adminSecrets: [ordersAdmin] },
  functionName: 'pg-rotator',
});
new ssm.StringParameter(central, 'RotationFunctionArn', { parameterName: '/pg-rotator/rotation-function-arn', stringValue: rotator.function.functionArn });

// A team's stack: its own secret, attached to the central function by the SSM parameter; nothing changes centrally.
const team = new Stack(app, 'OrdersTeam', { env });
const secret = new secretsmanager.Secret(team, 'BatchSecret');
new PgRotatorAttachment(team, 'BatchRotation', {
  secret,
  rotationFunctionArn: ssm.StringParameter.valueForStringParameter(team, '/pg-rotator/rotation-function-arn'),
  schedule: 'cron(0 6 ? * SUN *)',
  window: '2h',
  strategy: 'admin',
  adminSecret: secretsmanager.Secret.fromSecretCompleteArn(team, 'OrdersAdmin', secretArn('prod/orders/admin-GhI789')),
  username: 'batch',
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
