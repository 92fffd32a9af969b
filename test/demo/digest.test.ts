import { describe, expect, it } from 'vitest';
import { cliEnvironment } from '../../demo/cli-process';
import { shellWord } from '../../demo/cli-story';
import { asResponse, checklistFixes, checklistScore, describeAction, shortSql } from '../../demo/digest';
import type { ActionResponse, TestResponse } from '../../lambda/requests/envelope';

const lockDryRun: ActionResponse = {
  kind: 'action',
  ok: true,
  requestId: 'r-1',
  durationMs: 12,
  error: null,
  result: { action: 'lock-user', dryRun: true, database: 'app', changed: true, sql: ['ALTER ROLE "alice" NOLOGIN'], secret: null, notes: [] },
  rollback: { kind: 'action', action: 'unlock-user', target: { adminSecretArn: 'db/admin' }, params: { role: 'alice' }, dryRun: false },
};

describe('the demo digest', () => {
  it('shows what a dry run would run and the rollback the response carries', () => {
    expect(describeAction(lockDryRun)).toEqual(['would run: ALTER ROLE "alice" NOLOGIN', 'rollback: unlock-user {"role":"alice"}']);
  });

  it('reads only response envelopes from the CLI', () => {
    expect(asResponse(lockDryRun)).toMatchObject({ kind: 'action', ok: true });
    expect(asResponse({ ok: false, error: { code: 'INVALID_INPUT', message: 'x' } })).toBeNull();
  });

  it('collects the fixes of the failing checklist items, in order', () => {
    const checklist = [
      { id: 'login', ok: true, neededBy: ['everything'], detail: 'logged in', fix: null },
      { id: 'pg_signal_backend', ok: false, neededBy: ['lock-user (terminateSessions)'], detail: 'cannot', fix: 'GRANT pg_signal_backend TO "a"' },
    ];
    const response = { kind: 'test', ok: true, requestId: 'r', durationMs: 1, error: null, result: { checklist } } as unknown as TestResponse;

    expect(checklistFixes(response)).toEqual(['GRANT pg_signal_backend TO "a"']);
    expect(checklistScore(response)).toBe('1/2');
  });

  it('cuts long statements to one line', () => {
    expect(shortSql('SELECT  1\n  FROM t', 100)).toBe('SELECT 1 FROM t');
    expect(shortSql('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('the CLI child process', () => {
  it("gets placeholder credentials and none of the developer's AWS settings", () => {
    const env = cliEnvironment({ PATH: '/bin', AWS_PROFILE: 'prod', AWS_SESSION_TOKEN: 'token', AWS_ENDPOINT_URL_LAMBDA: 'https://x' });

    expect(env).toEqual({
      PATH: '/bin',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  });

  it('shows commands as they can be pasted into a shell', () => {
    expect(['--caller', 'npm run demo', "it's"].map(shellWord)).toEqual(['--caller', "'npm run demo'", `'it'\\''s'`]);
  });
});
