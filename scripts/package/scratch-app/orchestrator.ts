// An orchestrator and an application, as users of the installed package write them: the typed client and the pool.
// Typechecked in the scratch directory (check-package.ts), and imported at run time there.
import { createPgRotatorClient, type ActionInput } from 'pg-rotator/client';
import { createRotatingPool } from 'pg-rotator/pg';

const client = createPgRotatorClient({ functionName: 'arn:aws:lambda:eu-west-1:123456789012:function:pg-rotator-orchestrator', caller: 'OPS-42' });

export async function lockUser(adminSecretArn: string, role: string): Promise<string> {
  const request: ActionInput = { action: 'lock-user', target: { adminSecretArn }, params: { role }, dryRun: true };
  const response = await client.action(request);
  return response.ok ? JSON.stringify(response.result) : `${response.error?.code}: ${response.error?.message}`;
}

// The request types come from the function's own schemas: an action it does not know is a type error.
// @ts-expect-error 'drop-database' is no action
export const refused: ActionInput = { action: 'drop-database', target: { adminSecretArn: 'x' }, params: {} };

const pool = createRotatingPool({ secretId: 'prod/orders/app', refreshIntervalMs: 60_000, pool: { max: 5 } });

export async function countOrders(): Promise<number> {
  const result = await pool.query<{ count: string }>('SELECT count(*) FROM orders');
  return Number(result.rows[0]?.count ?? 0);
}
