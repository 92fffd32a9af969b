import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/postgres/free-port';
import { freshDatabase, uniqueName } from '../support/postgres';
import { extractMetrics } from '../support/emf-spec';
import type { RotationStack } from '../support/rotation-stack';
import { createLogin, startRotationStack } from '../support/rotation-stack';

// The metrics as CloudWatch would extract them from the lines the function really wrote on the local stack: every
// line carrying `_aws` must be valid EMF (test/support/emf-spec.ts), and carry what operators alarm on.

let stack: RotationStack;
beforeAll(async () => {
  stack = await startRotationStack();
});
afterAll(async () => {
  await stack?.close();
});

/** The lines the function wrote while `work` ran. */
async function linesDuring(work: () => Promise<unknown>): Promise<string[]> {
  const from = stack.functionLog.length;
  await work();
  return stack.functionLog.slice(from);
}

describe('the function\'s log lines carry valid EMF', () => {
  it('a rotation: each step\'s duration, and the completed rotation by strategy with its duration', async () => {
    const db = await freshDatabase();
    const arn = await stack.createSecret(uniqueName('app_secret'), await createLogin(db, uniqueName('app'), 'Original-Passw0rd'));

    const started = Date.now();
    const lines = await linesDuring(() => stack.rotate(arn));
    const wall = Date.now() - started;
    const metrics = extractMetrics(lines);

    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      expect(metrics).toContainEqual(expect.objectContaining({ namespace: 'PgRotator', name: 'StepDuration', unit: 'Milliseconds', dimensions: { Step: step, Outcome: 'succeeded' } }));
    }
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'RotationsCompleted', value: 1, dimensions: { Strategy: 'single-user' } }));
    const duration = metrics.find((m) => m.name === 'RotationDuration' && m.dimensions.Strategy === 'single-user')?.value as number;
    expect(duration).toBeGreaterThan(0);
    expect(duration).toBeLessThanOrEqual(wall);
    // The secret's ARN stays a plain field of the line, never a dimension.
    expect(lines.some((line) => line.includes(arn))).toBe(true);
    expect(metrics.flatMap((m) => Object.values(m.dimensions)).join()).not.toContain('arn:');
  });

  it('a failed rotation: failures by error code and by step, on every retry', async () => {
    const secret = { engine: 'postgres', host: '127.0.0.1', port: await findFreePort(), username: 'nobody', password: 'Unused-Passw0rd', dbname: 'postgres' };
    const arn = await stack.createSecret(uniqueName('unreachable'), secret);

    const lines = await linesDuring(() => stack.rotate(arn));
    const failures = extractMetrics(lines).filter((m) => m.name === 'StepFailures');

    expect(failures.filter((m) => m.dimensions.Code === 'DB_NETWORK').length).toBeGreaterThanOrEqual(2);
    expect(failures).toContainEqual(expect.objectContaining({ dimensions: { Step: 'setSecret' } }));
    expect(failures).toContainEqual(expect.objectContaining({ dimensions: {} }));
    expect(extractMetrics(lines)).not.toContainEqual(expect.objectContaining({ name: 'RotationsCompleted' }));
  });

  it('orchestrator requests: counted by kind and outcome on the audit line, an unknown action as "unknown"', async () => {
    const invoke = (payload: unknown) => stack.lambdaClient().send(new InvokeCommand({ FunctionName: stack.orchestratorArn, Payload: JSON.stringify(payload) }));

    const lines = await linesDuring(async () => {
      await invoke({ kind: 'action', action: 'format-disk', target: { adminSecretArn: 'db/admin' }, params: {} });
      await invoke({ kind: 'rotate', secretId: uniqueName('missing') });
    });
    const metrics = extractMetrics(lines);

    expect(metrics).toContainEqual(expect.objectContaining({ name: 'Requests', dimensions: { Kind: 'action', Outcome: 'rejected' } }));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'Actions', dimensions: { Action: 'unknown', Outcome: 'rejected' } }));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'RequestFailures', dimensions: { Code: 'INVALID_INPUT' } }));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'Requests', dimensions: { Kind: 'rotate', Outcome: 'error' } }));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'RequestDuration', dimensions: { Kind: 'rotate' } }));
    // The caller's text stays in the audit record; it never becomes a dimension value.
    expect(metrics.flatMap((m) => Object.values(m.dimensions))).not.toContain('format-disk');
  });
});
