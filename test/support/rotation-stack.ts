/**
 * The local AWS stack with pg-rotator registered, pointed at this run's PostgreSQL, plus the few verbs the
 * rotation suites repeat: make a role and its secret, rotate through RotateSecret, read a stage, log in.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier, escapeLiteral } from 'pg';
import type { LocalStack } from '../../local/stack';
import { startLocalStack } from '../../local/stack';
import type { RotationOutcome } from '../../local/secrets-manager/rotation-outcome';
import type { FreshDatabase, PostgresVariant } from './postgres';
import { canLogIn, postgresServer } from './postgres';

export interface RotationStack extends LocalStack {
  /**
   * Creates a secret and declares it as a deployment's config would list it (`declarations.declareLike`): a value
   * asking for an admin strategy gets that binding, and its admin secret is declared. What the value says after that
   * is checked against the binding, as in a deployment.
   */
  createSecret(name: string, value: Record<string, unknown>): Promise<string>;
  /** Creates a secret the deployment declares nothing about. */
  createUndeclaredSecret(name: string, value: Record<string, unknown>): Promise<string>;
  /** RotateSecret, then waits for the four steps to finish and returns the outcome. */
  rotate(secretArn: string): Promise<RotationOutcome>;
  value(secretArn: string, stage?: string): Promise<AppSecret>;
  /** Invokes one pg-rotator step through the Lambda Invoke API, as Secrets Manager does; the function error, if any. */
  invokeStep(step: string, secretArn: string, token: string): Promise<string | undefined>;
}

export interface AppSecret {
  readonly engine: string;
  readonly host: string;
  readonly port: number | string;
  readonly username: string;
  readonly password: string;
  readonly dbname: string;
  readonly [key: string]: unknown;
}

/** A stack whose function verifies TLS against the test CA, as it would against the RDS CAs in Lambda. */
export async function startRotationStack(env: Record<string, string> = {}, variant: PostgresVariant = 'tls'): Promise<RotationStack> {
  const server = postgresServer(variant);
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'pg-rotator-ca-')), 'ca.pem');
  writeFileSync(caFile, server.caPem ?? '');
  const stack = await startLocalStack({ env: { PGSSLMODE: 'verify-full', PGSSLROOTCERT: caFile, ...env } });
  const client = stack.secretsClient();
  const createUndeclaredSecret = async (name: string, value: Record<string, unknown>) =>
    (await client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }))).ARN as string;
  return {
    ...stack,
    async createSecret(name, value) {
      const arn = await createUndeclaredSecret(name, value);
      stack.declarations.declareLike(arn, value);
      return arn;
    },
    createUndeclaredSecret,
    async rotate(secretArn) {
      await client.send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: stack.rotatorArn, RotationRules: { AutomaticallyAfterDays: 30 } }));
      return stack.secretsManager.rotations.latest(secretArn);
    },
    async value(secretArn, stage = 'AWSCURRENT') {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }));
      return JSON.parse(out.SecretString as string) as AppSecret;
    },
    async invokeStep(step, secretArn, token) {
      const out = await stack.lambdaClient().send(
        new InvokeCommand({ FunctionName: stack.rotatorArn, Payload: JSON.stringify({ Step: step, SecretId: secretArn, ClientRequestToken: token }) }),
      );
      return out.FunctionError ? Buffer.from(out.Payload ?? []).toString() : undefined;
    },
  };
}

/** Creates a login role with a password, as a DBA would, and returns the secret JSON AWS would hold for it. */
export async function createLogin(db: FreshDatabase, role: string, password: string, options = ''): Promise<AppSecret> {
  await db.withSuperuser(async (client) => {
    await client.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN PASSWORD ${escapeLiteral(password)} ${options}`);
    await client.query(`GRANT ALL ON DATABASE ${escapeIdentifier(db.name)} TO ${escapeIdentifier(role)}`);
    await client.query(`GRANT ALL ON SCHEMA public TO ${escapeIdentifier(role)}`);
  });
  return { engine: 'postgres', host: db.server.host, port: db.server.port, username: role, password, dbname: db.name };
}

/** Whether a secret's credentials log in to its database, verifying TLS as the function does. */
export async function logsIn(secret: Pick<AppSecret, 'username' | 'password' | 'dbname'>, variant: PostgresVariant = 'tls') {
  return canLogIn({ variant, user: secret.username, password: secret.password, database: secret.dbname });
}
