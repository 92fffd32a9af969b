/**
 * The local stack with Secrets Manager on a clock the test moves (the status function judges findings by it too), and
 * pg-rotator's rotation function pointed at this run's PostgreSQL (TLS verified).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CancelRotateSecretCommand, CreateSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { LocalStack } from '../../local/stack';
import { startLocalStack } from '../../local/stack';
import type { RotationOutcome } from '../../local/secrets-manager/rotation-outcome';
import { postgresServer } from './postgres';

export interface StatusStack {
  readonly stack: LocalStack;
  /** The status function's ARN on the local Lambda endpoint (the local stack's). */
  readonly statusArn: string;
  /** Every line the status function logged so far (its logger names it: `"function":"status"`). */
  readonly statusLog: readonly string[];
  /** Moves Secrets Manager's clock (and the status check's) to `at`. */
  setNow(at: Date): void;
  /** CreateSecret with the JSON and tags given; the ARN. */
  createSecret(name: string, value: Record<string, unknown>, tags?: Record<string, string>): Promise<string>;
  /** RotateSecret with pg-rotator on a 30-day schedule, waiting for the rotation and Secrets Manager's retries. */
  rotate(secretArn: string): Promise<RotationOutcome>;
  cancelRotation(secretArn: string): Promise<void>;
  close(): Promise<void>;
}

export async function startStatusStack(): Promise<StatusStack> {
  let now = new Date();
  const clock = () => now;
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'pg-rotator-ca-')), 'ca.pem');
  writeFileSync(caFile, postgresServer('tls').caPem ?? '');
  const stack = await startLocalStack({ env: { PGSSLMODE: 'verify-full', PGSSLROOTCERT: caFile }, clock });
  const client = stack.secretsClient();
  return {
    stack,
    statusArn: stack.statusArn,
    get statusLog() {
      return stack.functionLog.filter((line) => (JSON.parse(line) as { function?: unknown }).function === 'status');
    },
    setNow: (at) => void (now = at),
    async createSecret(name, value, tags = {}) {
      const out = await client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value), Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
      return out.ARN as string;
    },
    async rotate(secretArn) {
      await client.send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: stack.rotatorArn, RotationRules: { AutomaticallyAfterDays: 30 } }));
      return stack.secretsManager.rotations.latest(secretArn);
    },
    async cancelRotation(secretArn) {
      await client.send(new CancelRotateSecretCommand({ SecretId: secretArn }));
    },
    close: () => stack.close(),
  };
}
