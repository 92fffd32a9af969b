import { describe, expect, it } from 'vitest';
import type { SeedSecret } from '../../local/secrets-manager/seed';
import { ResponseSchema } from '../../lambda/requests/envelope';
import { handleStatusRequest } from '../../lambda/status/handle-status-request';
import { createStatusRuntime } from '../../lambda/status/status-runtime';
import { extractMetrics } from '../support/emf-spec';
import { TEST_CREDENTIALS, useLocalSecretsManager } from '../harness/support/local-aws';

// The status check at fleet size, against the local Secrets Manager through the function's own client: 10,000 secrets rotated by
// this deployment among 10,500, seeded as their history would have left them (local/secrets-manager/seed.ts).

const DAY_MS = 86_400_000;
const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:pg-rotator';
const OTHER = 'arn:aws:lambda:us-east-1:123456789012:function:someone-else';
const now = new Date('2026-03-01T12:00:00Z');
const local = useLocalSecretsManager({ clock: () => now });

/** Every thousandth secret is stuck, overdue or rotation-disabled: ten of each. */
function fleet(): SeedSecret[] {
  const secrets: SeedSecret[] = [];
  const rules = { AutomaticallyAfterDays: 30 };
  for (let i = 0; i < 10_000; i++) {
    const kind = i % 1000;
    secrets.push({
      name: `fleet/app-${String(i).padStart(5, '0')}`,
      secretString: '{}',
      tags: [{ Key: 'pg-rotator:strategy', Value: i % 2 === 0 ? 'alternating' : 'single-user' }],
      rotation: {
        lambdaArn: FUNCTION,
        rules,
        lastRotatedAt: new Date(now.getTime() - (kind === 1 ? 40 : 1) * DAY_MS),
        ...(kind === 0 ? { pendingSince: new Date(now.getTime() - 2 * DAY_MS) } : {}),
        ...(kind === 2 ? { enabled: false } : {}),
      },
    });
  }
  for (let i = 0; i < 500; i++) {
    secrets.push({ name: `other/app-${i}`, secretString: '{}', rotation: { lambdaArn: OTHER, rules, lastRotatedAt: new Date(now.getTime() - 90 * DAY_MS) } });
  }
  return secrets;
}

function statusDeps(lines: string[], maxPages?: number) {
  return createStatusRuntime(
    { ROTATION_FUNCTION_ARN: FUNCTION, SECRETS_MANAGER_ENDPOINT: local.sm.endpoint },
    { secretsManager: { region: local.sm.region, credentials: TEST_CREDENTIALS }, writeLog: (line) => lines.push(line), now: () => now, ...(maxPages === undefined ? {} : { maxPages }) },
  );
}

describe('the status check at 10,000 secrets', () => {
  it('lists every page, finds the ten stuck, ten overdue and ten disabled, and counts them in valid EMF', async () => {
    local.sm.seed(fleet());
    const lines: string[] = [];

    const started = performance.now();
    const response = await handleStatusRequest({ kind: 'status', list: 'findings' }, statusDeps(lines));
    const seconds = (performance.now() - started) / 1000;
    console.log(`[fleet] status of 10,000 managed secrets among 10,500: ${seconds.toFixed(2)} s, ${response.result?.pagesRead} pages`);

    expect(ResponseSchema.parse(response)).toBeTruthy();
    expect(response.result).toMatchObject({
      complete: true,
      stoppedBy: null,
      pagesRead: 105,
      counts: { managed: 10_000, healthy: 9_970, stuck: 10, overdue: 10, rotationDisabled: 10 },
      omitted: 0,
    });
    expect(response.result?.secrets).toHaveLength(30);
    expect(local.sm.calls('ListSecretVersionIds')).toBe(10);
    expect(lines.filter((line) => line.includes('"status finding"'))).toHaveLength(30);
    const metrics = extractMetrics(lines);
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'ManagedSecrets', value: 10_000 }));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'StuckSecrets', value: 10 }));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'OverdueSecrets', value: 10 }));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'RotationDisabledSecrets', value: 10 }));
    expect(metrics).toContainEqual(expect.objectContaining({ name: 'StatusIncomplete', value: 0 }));
  });

  it('answers within Lambda\'s 6 MB when asked for all of them, findings first, counting what it would leave out', async () => {
    const response = await handleStatusRequest({ kind: 'status' }, statusDeps([]));
    const result = response.result;
    console.log(`[fleet] list all: ${result?.secrets.length} listed, ${result?.omitted} omitted, ${Buffer.byteLength(JSON.stringify(response))} bytes`);

    expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThan(6 * 1024 * 1024);
    expect(result).toMatchObject({ omitted: 0 });
    expect(result?.secrets).toHaveLength(10_000);
    expect(result?.secrets.slice(0, 30).every((secret) => secret.findings.length > 0)).toBe(true);

    // Longer names would not fit: what does not is counted, and the findings come first.
    const capped = (await handleStatusRequest({ kind: 'status' }, { ...statusDeps([]), maxListedBytes: 50_000 })).result;
    expect(capped?.omitted).toBeGreaterThan(9_000);
    expect((capped?.secrets.length ?? 0) + (capped?.omitted ?? 0)).toBe(10_000);
    expect(capped?.secrets.slice(0, 30).every((secret) => secret.findings.length > 0)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(capped?.secrets))).toBeLessThanOrEqual(50_000);
  });

  it('stops at the page limit or the deadline and says so, with StatusIncomplete', async () => {
    const lines: string[] = [];
    const paged = await handleStatusRequest({ kind: 'status', list: 'none' }, statusDeps(lines, 5));
    const timed = await handleStatusRequest({ kind: 'status', list: 'none' }, { ...statusDeps([]), budgetMs: 0 });

    expect(paged.result).toMatchObject({ complete: false, stoppedBy: 'page-limit', pagesRead: 5, secrets: [] });
    expect(timed.result).toMatchObject({ complete: false, stoppedBy: 'time-limit', pagesRead: 0, counts: { managed: 0 } });
    expect(extractMetrics(lines)).toContainEqual(expect.objectContaining({ name: 'StatusIncomplete', value: 1 }));
  });

  it('answers a failed listing with an envelope naming the call, and a pending age it could not read as unknown', async () => {
    const lines: string[] = [];
    local.sm.faults.add({ operation: 'ListSecretVersionIds', kind: 'error', code: 'AccessDeniedException' });
    const unreadable = await handleStatusRequest({ kind: 'status', list: 'findings', namePrefix: 'fleet/app-00000' }, statusDeps([]));
    local.sm.faults.clear();
    local.sm.faults.add({ operation: 'ListSecrets', kind: 'error', code: 'AccessDeniedException' });
    const denied = await handleStatusRequest({ kind: 'status' }, statusDeps(lines));
    local.sm.faults.clear();

    expect(unreadable.result).toMatchObject({ counts: { managed: 1, stuck: 0 }, secrets: [] });
    expect(denied).toMatchObject({ kind: 'status', ok: false, result: null, error: { code: 'SECRETS_MANAGER', message: expect.stringMatching(/^ListSecrets: AccessDeniedException/) } });
    expect(extractMetrics(lines)).toContainEqual(expect.objectContaining({ name: 'RequestFailures', dimensions: { Code: 'SECRETS_MANAGER' } }));
  });

  it('refuses a request that is not a status request, or has a field it does not know, naming it', async () => {
    const other = await handleStatusRequest({ kind: 'rotate', secretId: 'x' }, statusDeps([]));
    const unknown = await handleStatusRequest({ kind: 'status', limit: 5 }, statusDeps([]));

    expect(other).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'request.kind' } });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'request', message: expect.stringContaining('limit') } });
  });
});
