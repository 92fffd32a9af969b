/**
 * The rotated roles of secrets bound only by `pg-rotator:*` tags, as the orchestrator function lists them: through
 * the function's own client against the local Secrets Manager, page by page, bounded, failing closed, and only where the deployment
 * binds by tags (PROTECT_TAG_BOUND_ROLES). What an action on one of them gets is in test/actions/escalation.db.test.ts.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerError } from '../../lambda/errors';
import { orchestratorDeps } from '../../lambda/requests/orchestrator-deps';
import { ROLE_TAGS } from '../../lambda/rotation/tag-bound-roles';
import { listTaggedSecrets } from '../../lambda/secrets/tagged-secrets';
import type { LocalStack } from '../../local/stack';
import { startLocalStack } from '../../local/stack';

const TAGGED = 250;
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ env: { PROTECT_TAG_BOUND_ROLES: 'true' } });
  const client = stack.secretsClient();
  const create = (name: string, tags: Record<string, string>) =>
    client.send(new CreateSecretCommand({ Name: name, SecretString: '{}', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  for (let i = 0; i < TAGGED; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => create(`tagged/app${i + j}`, { 'pg-rotator:strategy': 'admin', 'pg-rotator:username': `app${i + j}` })));
  }
  await create('tagged/owned', { 'pg-rotator:strategy': 'alternating-owner', 'pg-rotator:username': 'web_a', 'pg-rotator:alternate-username': 'web_b', 'pg-rotator:owner-role': 'web_owner' });
  await create('untagged/team', { team: 'orders' });
  await create('tagged/single-user', { 'pg-rotator:strategy': 'single-user' });
});
afterAll(async () => {
  await stack?.close();
});

describe('listing the secrets bound by tags', () => {
  it('finds every secret with a role tag, page by page, and no other', async () => {
    stack.secretsManager.resetCalls();
    const found = await listTaggedSecrets(stack.orchestratorRuntime.secretsManager, ROLE_TAGS);
    expect(found).toHaveLength(TAGGED + 1);
    expect(found.some((secret) => secret.arn.includes('untagged/') || secret.arn.includes('single-user'))).toBe(false);
    // 100 a page: three calls for 251 secrets.
    expect(stack.secretsManager.calls('ListSecrets')).toBe(3);
  });

  it('gives up past its bounds rather than answer with part of the list', async () => {
    const list = (maxSecrets: number, maxPages: number) => listTaggedSecrets(stack.orchestratorRuntime.secretsManager, ROLE_TAGS, { maxSecrets, maxPages });
    await expect(list(TAGGED + 1, 3)).resolves.toHaveLength(TAGGED + 1);
    await expect(list(TAGGED, 10)).rejects.toThrow(SecretsManagerError);
    await expect(list(10_000, 2)).rejects.toThrow(/TooManySecrets: more than 10000 secrets \(or 2 pages\) carry a pg-rotator:username or pg-rotator:owner-role tag/);
  });
});

describe("the orchestrator's rotated roles", () => {
  it("are the bindings file's and the tags', the owner role included", async () => {
    stack.declarations.bind({ secretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:filed', strategy: 'admin', adminSecretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:admin', username: 'filed_login' });
    const roles = await orchestratorDeps(stack.orchestratorRuntime).rotatedRoles();
    expect([...roles.logins]).toEqual(expect.arrayContaining(['filed_login', 'app0', `app${TAGGED - 1}`, 'web_a', 'web_b']));
    expect(roles.logins.size).toBe(TAGGED + 3);
    expect([...roles.ownerRoles]).toEqual(['web_owner']);
  });

  it('fail closed when ListSecrets is denied: no action runs on a list it could not read', async () => {
    const fresh = await startLocalStack({ env: { PROTECT_TAG_BOUND_ROLES: 'true' } });
    try {
      fresh.secretsManager.faults.add({ operation: 'ListSecrets', kind: 'error', code: 'AccessDeniedException' });
      await expect(orchestratorDeps(fresh.orchestratorRuntime).rotatedRoles()).rejects.toThrow(/^ListSecrets: AccessDeniedException/);
    } finally {
      await fresh.close();
    }
  });

  it('are listed only where the deployment binds by tags', async () => {
    const fileOnly = await startLocalStack();
    try {
      await orchestratorDeps(fileOnly.orchestratorRuntime).rotatedRoles();
      expect(fileOnly.secretsManager.calls('ListSecrets')).toBe(0);
    } finally {
      await fileOnly.close();
    }
  });
});
