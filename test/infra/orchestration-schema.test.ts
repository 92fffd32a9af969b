import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../infra/config/load';
import { configIssues, exampleInput } from './fixtures';

/** An edited example's issues, as `field: problem`. */
const issuesOf = (edit: Parameters<typeof configIssues>[0]) => configIssues(edit).map((issue) => `${issue.field}: ${issue.problem}`);

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;

const fields = (issues: string[]) => issues.map((issue) => issue.split(': ')[0]);

describe('config orchestration', () => {
  it('is accepted as in the example, with its defaults', () => {
    const config = parseConfig(exampleInput(), 'test');
    expect(config.orchestration?.passwordSecrets?.namePrefix).toBe('pg-rotator/');
    expect(parseConfig({ ...exampleInput(), orchestration: {} }, 'test').orchestration).toEqual({
      adminSecrets: [],
      connectionSecrets: [],
      rotate: { inline: [], secretsManager: [] },
    });
  });

  it('carries the permission policy, checked with the function\'s own schema and named by its config path', () => {
    expect(parseConfig(exampleInput(), 'test').orchestration?.policy?.temporaryUsers).toEqual({ prefix: 'tmp_', maxValidity: '8h', roles: ['orders_readonly'] });
    expect(issuesOf((c) => Object.assign(c.orchestration?.policy ?? {}, { temporaryUsers: { prefix: 'tmp_', maxValidity: 'forever', roles: ['r'] } }))).toEqual([
      'config.orchestration.policy.temporaryUsers.maxValidity: must be a whole number and a unit: s, m, h or d (90m, 8h, 7d)',
    ]);
    expect(issuesOf((c) => Object.assign(c.orchestration?.policy ?? {}, { actions: ['lock-user', 'grant-role'] }))).toEqual([
      'config.orchestration.policy.grants: must list at least one role: grant-role is enabled',
    ]);
    expect(issuesOf((c) => Object.assign(c.orchestration?.policy ?? {}, { everything: true }))).toEqual(['config.orchestration.policy.everything: is not a known field']);
  });

  it('is an error without orchestrators, since no request could use its grants', () => {
    expect(issuesOf((c) => (c.orchestrators = []))).toEqual([
      'config.orchestration: grants what only orchestrator requests use, but no orchestrator may invoke the function; add orchestrators or remove orchestration',
    ]);
  });

  it('rejects unknown fields by name', () => {
    expect(issuesOf((c) => Object.assign(c.orchestration ?? {}, { passwordPrefix: 'x/' }))).toEqual([
      'config.orchestration.passwordPrefix: is not a known field',
    ]);
  });

  it('requires a name prefix of secret-name characters ending in /', () => {
    for (const namePrefix of ['pg-rotator', 'pg-rotator/*', '']) {
      expect(fields(issuesOf((c) => (c.orchestration = { passwordSecrets: { namePrefix } })))).toEqual([
        'config.orchestration.passwordSecrets.namePrefix',
      ]);
    }
  });

  it('refuses a name prefix that covers a secret the config names elsewhere, naming that secret', () => {
    expect(issuesOf((c) => (c.orchestration = { passwordSecrets: { namePrefix: 'prod/orders/' } }))).toEqual([
      'config.orchestration.passwordSecrets.namePrefix: covers prod/orders/app (config.secrets[0].arn); actions could overwrite or delete it, so choose a prefix no other secret uses',
      'config.orchestration.passwordSecrets.namePrefix: covers prod/orders/reporting (config.secrets[1].arn); actions could overwrite or delete it, so choose a prefix no other secret uses',
      'config.orchestration.passwordSecrets.namePrefix: covers prod/orders/admin (config.secrets[1].adminSecret.arn); actions could overwrite or delete it, so choose a prefix no other secret uses',
    ]);
    expect(
      fields(
        issuesOf((c) => (c.orchestration = { adminSecrets: [{ arn: ARN('pg-rotator/admin-AbCdEf') }], passwordSecrets: { namePrefix: 'pg-rotator/' } })),
      ),
    ).toEqual(['config.orchestration.passwordSecrets.namePrefix']);
  });

  it('refuses inline rotation of a scheduled secret, which the function would refuse at run time', () => {
    expect(fields(issuesOf((c) => (c.orchestration = { rotate: { inline: [{ partialArn: ARN('prod/orders/app') }] } })))).toEqual([
      'config.orchestration.rotate.inline[0].partialArn',
    ]);
  });

  it('requires an admin secret and the bound login for an inline target with an admin strategy', () => {
    expect(
      fields(issuesOf((c) => (c.orchestration = { rotate: { inline: [{ partialArn: ARN('prod/orders/batch'), strategy: 'alternating' }] } }))),
    ).toEqual(['config.orchestration.rotate.inline[0].adminSecret', 'config.orchestration.rotate.inline[0].username']);
  });

  it('hands only secrets[] entries to Secrets Manager, since only they are rotated by this function', () => {
    expect(fields(issuesOf((c) => (c.orchestration = { rotate: { secretsManager: [{ arn: ARN('prod/orders/other-XyZ987') }] } })))).toEqual([
      'config.orchestration.rotate.secretsManager[0].arn',
    ]);
  });

  it('requires one key per secret wherever the config names it', () => {
    expect(
      issuesOf((c) => {
        c.orchestration = {
          adminSecrets: [
            { arn: ARN('prod/orders/admin-GhI789'), kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/9abc0123-9abc-0123-4567-9abc01234567' },
          ],
        };
      }),
    ).toEqual([
      'config.orchestration.adminSecrets[0].kmsKeyArn: must be the same as for config.secrets[1].adminSecret, which names the same secret: a secret has one key',
    ]);
  });

  it('accepts an RDS-managed master secret (rds!…) as an admin secret, with a connection secret for its host', () => {
    const input = exampleInput();
    input.orchestration = {
      adminSecrets: [{ arn: ARN('rds!db-3af6352b-e7f0-4fdc-9c52-4910b0dd815c-lMb7qs') }],
      connectionSecrets: [{ arn: ARN('prod/orders/app-AbC123') }],
    };
    expect(parseConfig(input, 'test').orchestration?.adminSecrets).toEqual([{ arn: ARN('rds!db-3af6352b-e7f0-4fdc-9c52-4910b0dd815c-lMb7qs') }]);
  });

  it('keeps every orchestration secret in the stack account and region', () => {
    expect(
      fields(
        issuesOf((c) => {
          c.orchestration = {
            adminSecrets: [{ arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db/admin-AbCdEf' }],
            connectionSecrets: [{ arn: 'arn:aws:secretsmanager:eu-west-1:210987654321:secret:db/app-AbCdEf' }],
          };
        }),
      ),
    ).toEqual(['config.orchestration.adminSecrets[0].arn', 'config.orchestration.connectionSecrets[0].arn']);
  });
});
