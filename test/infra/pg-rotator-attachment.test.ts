/**
 * Schedules attached where the secrets live: a team stack attaches its own secret to the central rotation function by
 * ARN, binds it by tags, and changes and grants nothing centrally.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Fn, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../infra/config/load';
import { PgRotatorAttachment, type PgRotatorAttachmentProps } from '../../infra/constructs/pg-rotator-attachment';
import { PgRotatorStack } from '../../infra/pg-rotator-stack';
import { InvalidInputError } from '../../lambda/errors';
import { exampleInput, synthFindings } from './fixtures';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ORDERS_ADMIN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/admin-GhI789';
const PARAMETER = '/pg-rotator/rotation-function-arn';

/** The example's central stack, declaring attachments and publishing its function's ARN in SSM. */
function centralConfig() {
  const input = exampleInput();
  input.attachments = { adminSecrets: [{ arn: ORDERS_ADMIN }], functionArnParameter: PARAMETER };
  return parseConfig(input, 'central');
}

/** A team's stack: an application secret of its own, attached with `props`. */
function teamStack(app: App, props: (stack: Stack, secret: secretsmanager.Secret) => Partial<PgRotatorAttachmentProps> = () => ({})) {
  const stack = new Stack(app, 'OrdersTeam', { env: ENV });
  const secret = new secretsmanager.Secret(stack, 'AppSecret');
  const attachment = new PgRotatorAttachment(stack, 'AppRotation', {
    secret,
    rotationFunctionArn: ssm.StringParameter.valueForStringParameter(stack, PARAMETER),
    schedule: 'cron(0 3 ? * SUN *)',
    window: '2h',
    strategy: 'alternating',
    adminSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'OrdersAdmin', ORDERS_ADMIN),
    username: 'orders_app',
    ...props(stack, secret),
  });
  return { stack, secret, attachment };
}

const newApp = () => new App({ outdir: mkdtempSync(join(tmpdir(), 'pg-rotator-attach-')), context: { 'aws:cdk:bundling-stacks': [] } });

describe('PgRotatorAttachment', () => {
  it('schedules the rotation with the central function named by its SSM parameter, at the given cron and window', () => {
    const template = Template.fromStack(teamStack(newApp()).stack);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^AppSecret') },
      RotationLambdaARN: { Ref: Match.stringLikeRegexp('^SsmParameterValuepgrotatorrotationfunctionarn') },
      RotationRules: { ScheduleExpression: 'cron(0 3 ? * SUN *)', Duration: '2h' },
      RotateImmediatelyOnUpdate: true,
    });
  });

  it('binds the secret by its pg-rotator tags, which its resource policy lets only the deployer change, before the first rotation', () => {
    const template = Template.fromStack(teamStack(newApp()).stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Tags: Match.arrayWith([
        { Key: 'pg-rotator:admin-secret', Value: ORDERS_ADMIN },
        { Key: 'pg-rotator:strategy', Value: 'alternating' },
        { Key: 'pg-rotator:username', Value: 'orders_app' },
      ]),
    });
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      ResourcePolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'PgRotatorBindingTagsByDeployerOnly', Effect: 'Deny' })]) },
    });
    const [schedule] = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'));
    expect(schedule?.DependsOn).toEqual([expect.stringMatching(/^AppSecretPolicy/)]);
  });

  it('grants nothing and changes nothing in the central stack: its condition-scoped policy already covers the secret', () => {
    const alone = newApp();
    const central = new PgRotatorStack(alone, 'PgRotator', { config: centralConfig() });
    const before = Template.fromStack(central).toJSON();

    const withTeam = newApp();
    const centralAgain = new PgRotatorStack(withTeam, 'PgRotator', { config: centralConfig() });
    const { stack } = teamStack(withTeam);
    expect(Template.fromStack(centralAgain).toJSON()).toEqual(before);

    const team = Template.fromStack(stack);
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::Lambda::Permission', 'AWS::KMS::Key']) team.resourceCountIs(type, 0);
    // What the central role is scoped by is the function the SSM parameter holds.
    Template.fromStack(centralAgain).hasResourceProperties('AWS::SSM::Parameter', {
      Name: PARAMETER,
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorFunction'), 'Arn'] },
    });
  });

  it('attaches by the central stack output too, the same ARN the central role is scoped by', () => {
    const app = newApp();
    const central = new PgRotatorStack(app, 'PgRotator', { config: centralConfig() });
    const { stack } = teamStack(app, () => ({ rotationFunctionArn: Fn.importValue('PgRotator-RotationFunctionArn') }));
    Template.fromStack(central).hasOutput('RotationFunctionArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PgRotatorFunction'), 'Arn'] },
      Export: { Name: 'PgRotator-RotationFunctionArn' },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationLambdaARN: { 'Fn::ImportValue': 'PgRotator-RotationFunctionArn' },
    });
  });

  it('tags its own companion secrets for the function, which is what lets the function write them', () => {
    const { stack } = teamStack(newApp(), (scope) => ({ companionSecrets: { username: new secretsmanager.Secret(scope, 'AppLogin') } }));
    Template.fromStack(stack).hasResourceProperties('AWS::SecretsManager::Secret', {
      Tags: Match.arrayWith([{ Key: 'pg-rotator:companion-writer', Value: { Ref: Match.stringLikeRegexp('^SsmParameterValue') } }]),
    });
  });

  it('with rotationRole (per-arn deployments), grants the role its own companions too, and refuses an imported secret it cannot grant', () => {
    const role = (scope: Stack) => iam.Role.fromRoleArn(scope, 'CentralRole', 'arn:aws:iam::123456789012:role/pg-rotator-rotation');
    const { stack } = teamStack(newApp(), (scope) => ({ rotationRole: role(scope), companionSecrets: { username: new secretsmanager.Secret(scope, 'AppLogin') } }));
    const companionPolicy = Object.values(Template.fromStack(stack).findResources('AWS::SecretsManager::ResourcePolicy')).find((resource) =>
      JSON.stringify(resource).includes('PgRotatorCompanion'),
    );
    expect(companionPolicy?.Properties).toMatchObject({
      SecretId: { Ref: expect.stringMatching(/^AppLogin/) },
      ResourcePolicy: { Statement: [expect.objectContaining({ Sid: 'PgRotatorCompanion', Action: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'], Principal: { AWS: 'arn:aws:iam::123456789012:role/pg-rotator-rotation' } })] },
    });

    const app = newApp();
    const imported = new Stack(app, 'ImportedWithRole', { env: ENV });
    expect(
      () =>
        new PgRotatorAttachment(imported, 'Rotation', {
          secret: secretsmanager.Secret.fromSecretCompleteArn(imported, 'Legacy', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy/app-AbCdEf'),
          rotationFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:pg-rotator',
          schedule: 'rate(30 days)',
          rotationRole: role(imported),
        }),
    ).toThrow(expect.objectContaining({ field: 'rotationRole' }));
  });

  it('needs no binding, hence no tags, for a single-user secret that names no login, even an imported one', () => {
    const app = newApp();
    const stack = new Stack(app, 'Imported', { env: ENV });
    new PgRotatorAttachment(stack, 'Rotation', {
      secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Legacy', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy/app-AbCdEf'),
      rotationFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:pg-rotator',
      schedule: 'rate(30 days)',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy/app-AbCdEf',
      RotationLambdaARN: 'arn:aws:lambda:eu-west-1:123456789012:function:pg-rotator',
    });
  });

  it('has cdk-nag clean', () => {
    const app = newApp();
    teamStack(app, (scope) => ({ companionSecrets: { username: new secretsmanager.Secret(scope, 'AppLogin') } }));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // Only the team secrets' own findings (rotation is what this adds; SMG4 asks for rotation) may appear, and none does.
    expect(synthFindings(app, app.outdir)).toEqual([]);
  });

  it.each<[string, (stack: Stack, secret: secretsmanager.Secret) => Partial<PgRotatorAttachmentProps>, string]>([
    ['a qualified function ARN', () => ({ rotationFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:pg-rotator:live' }), 'rotationFunctionArn: must be unqualified'],
    ['a function in another account', () => ({ rotationFunctionArn: 'arn:aws:lambda:eu-west-1:999999999999:function:pg-rotator' }), 'rotationFunctionArn: is in 999999999999/eu-west-1'],
    ['a function in another region', () => ({ rotationFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pg-rotator' }), 'rotationFunctionArn: is in 123456789012/us-east-1'],
    ['not a function', () => ({ rotationFunctionArn: 'arn:aws:sns:eu-west-1:123456789012:topic' }), 'rotationFunctionArn: must be a Lambda function ARN'],
    ['a schedule Secrets Manager refuses', () => ({ schedule: 'rate(1 hour)' }), 'schedule: rate must be at least 4 hours'],
    ['an admin strategy without a login', () => ({ username: undefined }), 'username: is required for the alternating strategy'],
    [
      'an imported secret that needs a binding',
      (stack) => ({ secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Other', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:other-AbCdEf') }),
      'secret: is imported, and this stack can tag only the secrets it creates',
    ],
    ['the secret as its own companion', (_stack, secret) => ({ companionSecrets: { username: secret } }), 'companionSecrets.username: names the rotated secret itself'],
    [
      'its admin secret as a companion',
      (stack) => ({ companionSecrets: { alternateUsername: secretsmanager.Secret.fromSecretCompleteArn(stack, 'AdminAgain', ORDERS_ADMIN) } }),
      "companionSecrets.alternateUsername: names the binding's admin secret",
    ],
  ])('refuses %s, naming the prop', (_name, props, message) => {
    expect(() => teamStack(newApp(), props)).toThrow(InvalidInputError);
    expect(() => teamStack(newApp(), props)).toThrow(message);
  });
});
