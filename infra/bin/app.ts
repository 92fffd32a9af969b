/**
 * The CDK app: one PgRotatorStack configured from JSON (see docs/deploy.md for where the config comes from),
 * checked by cdk-nag's AwsSolutions pack so `cdk synth` fails on any unacknowledged finding.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../config/config-error';
import { loadConfig } from '../config/load';
import { PgRotatorStack } from '../pg-rotator-stack';

const app = new App();
try {
  const config = loadConfig(app.node);
  new PgRotatorStack(app, config.stackName, { config });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A config error is the user's to fix: print the fields, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
