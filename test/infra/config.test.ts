import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE_ENV_VAR, DEFAULT_CONFIG_FILE, loadConfig, parseConfig, readConfigFile } from '../../infra/config/load';
import type { PgRotatorConfigInput } from '../../infra/config/schema';
import { configIssues, configWith, exampleInput } from './fixtures';

/** The fields an edited example's error names. */
const fieldsOf = (edit: Parameters<typeof configIssues>[0]) => configIssues(edit).map((issue) => issue.field);

const noContext = { tryGetContext: () => undefined };

describe('config schema', () => {
  it('accepts the example and fills in defaults', () => {
    const config = readConfigFile(DEFAULT_CONFIG_FILE);
    expect(config.env).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(config.password).toMatchObject({ source: 'local', length: 32, requireEachIncludedType: true });
    expect(config.secrets[1]?.rotateImmediatelyOnUpdate).toBe(false);
    expect(config.secrets[0]?.rotateImmediatelyOnUpdate).toBe(true);
  });

  it('names the secret and field of a bad schedule', () => {
    const input = exampleInput();
    const second = input.secrets[1];
    if (second) second.schedule = 'rate(2 hours)';
    expect(() => parseConfig(input, 'example.json')).toThrow(
      /config\.secrets\[1\]\.schedule: rate must be at least 4 hours/,
    );
  });

  it('lists every issue at once, each with its field', () => {
    const fields = fieldsOf((config) => {
      config.env.region = 'Ireland';
      config.network.subnetIds = ['subnet-XYZ'];
      const first = config.secrets[0];
      if (first) first.window = '36h';
    });
    expect(fields).toEqual(
      expect.arrayContaining(['config.env.region', 'config.network.subnetIds[0]', 'config.secrets[0].window']),
    );
  });

  it('rejects unknown fields by name rather than ignoring them', () => {
    expect(fieldsOf((config) => Object.assign(config.network, { subnetId: 'subnet-0a1b2c3d4e5f60711' }))).toEqual([
      'config.network.subnetId',
    ]);
  });

  it('requires exactly one of arn and partialArn', () => {
    expect(
      fieldsOf((config) => {
        const first = config.secrets[0];
        if (first) first.partialArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/app';
      }),
    ).toEqual(['config.secrets[0].arn']);
  });

  it('requires an admin secret for alternating and admin strategies', () => {
    expect(
      fieldsOf((config) => {
        const second = config.secrets[1];
        if (second) delete second.adminSecret;
      }),
    ).toEqual(['config.secrets[1].adminSecret']);
  });

  it('refuses a companion that is another secret the config names, and one secret listed twice by arn and partialArn', () => {
    const ADMIN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders/admin-GhI789';
    // Another rotation's admin secret, by its partial ARN: finishSecret would write a login over the admin.
    expect(
      fieldsOf((config) => {
        const first = config.secrets[0];
        if (first) first.companionSecrets = { username: { partialArn: ADMIN.slice(0, -7) } };
        if (first) first.username = 'app';
      }),
    ).toEqual(['config.secrets[0].companionSecrets.username.partialArn']);
    expect(
      fieldsOf((config) => {
        const first = config.secrets[0];
        if (first) config.secrets.push({ partialArn: (first.arn ?? '').slice(0, -7), schedule: first.schedule });
      }),
    ).toContain('config.secrets[2].partialArn');
  });

  it('refuses a password policy no password can satisfy, and a password-secret prefix that covers an attached admin secret', () => {
    expect(fieldsOf((config) => (config.password = { excludeNumbers: true, excludePunctuation: true, excludeUppercase: true, excludeLowercase: true }))).toEqual([
      'config.password.excludeCharacters',
    ]);
    expect(
      fieldsOf((config) => {
        config.attachments = { adminSecrets: [{ arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pg-rotator/billing/admin-AbCdEf' }] };
      }),
    ).toEqual(['config.orchestration.passwordSecrets.namePrefix']);
  });

  it('refuses a default sslmode below the minimum, which only the deployment may lower', () => {
    expect(fieldsOf((config) => (config.connection = { sslMode: 'require' }))).toEqual(['config.connection.sslMode']);
    expect(configWith((config) => (config.connection = { sslMode: 'require', minimumSslMode: 'require' })).connection.minimumSslMode).toBe('require');
  });

  it('requires the bound login with an admin secret, and the owner role for alternating-owner', () => {
    expect(
      fieldsOf((config) => {
        const second = config.secrets[1];
        if (second) delete second.username;
      }),
    ).toEqual(['config.secrets[1].username']);
    expect(
      fieldsOf((config) => {
        const second = config.secrets[1];
        if (second) second.strategy = 'alternating-owner';
      }),
    ).toEqual(['config.secrets[1].ownerRole']);
  });

  it('rejects secrets and topics outside the stack account and region', () => {
    expect(
      fieldsOf((config) => {
        const first = config.secrets[0];
        if (first) first.arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders/app-AbC123';
        config.alerts = { topicArn: 'arn:aws:sns:eu-west-1:210987654321:alerts' };
      }),
    ).toEqual(['config.secrets[0].arn', 'config.alerts.topicArn']);
  });

  it('rejects a function timeout shorter than the database timeouts', () => {
    expect(fieldsOf((config) => Object.assign(config.function ?? {}, { timeoutSeconds: 10 }))).toEqual([
      'config.function.timeoutSeconds',
    ]);
  });

  it('rejects an alias in place of a KMS key ARN', () => {
    expect(
      fieldsOf((config) => {
        const second = config.secrets[1];
        if (second) second.kmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:alias/secrets';
      }),
    ).toEqual(['config.secrets[1].kmsKeyArn']);
  });

  it('rejects an orchestrator that is neither one role nor one account', () => {
    expect(fieldsOf((config) => (config.orchestrators = [{}]))).toEqual(['config.orchestrators[0].roleArn']);
    expect(fieldsOf((config) => (config.orchestrators = [{ accountId: '1234' }]))).toEqual([
      'config.orchestrators[0].accountId',
    ]);
  });

  it('rejects an unknown Secrets Manager access mode', () => {
    expect(fieldsOf((config) => Object.assign(config.network, { secretsManagerAccess: { mode: 'internet' } }))).toEqual([
      'config.network.secretsManagerAccess.mode',
    ]);
  });
});

describe('loadConfig', () => {
  const writeConfig = (edit: (config: PgRotatorConfigInput) => void): string => {
    const input = exampleInput();
    edit(input);
    const file = join(tmpdir(), `pg-rotator-config-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(input));
    return file;
  };

  it('defaults to the example config', () => {
    expect(loadConfig(noContext, {}).stackName).toBe('PgRotator');
  });

  it('reads the file named by PG_ROTATOR_CONFIG', () => {
    const file = writeConfig((config) => (config.stackName = 'FromEnv'));
    expect(loadConfig(noContext, { [CONFIG_FILE_ENV_VAR]: file }).stackName).toBe('FromEnv');
  });

  it('prefers context configFile over the environment, and inline context over both', () => {
    const fromContext = writeConfig((config) => (config.stackName = 'FromContext'));
    const fromEnv = writeConfig((config) => (config.stackName = 'FromEnv'));
    const inline = { ...exampleInput(), stackName: 'Inline' };
    const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });
    expect(loadConfig(context({ configFile: fromContext }), { [CONFIG_FILE_ENV_VAR]: fromEnv }).stackName).toBe(
      'FromContext',
    );
    expect(loadConfig(context({ config: inline, configFile: fromContext }), {}).stackName).toBe('Inline');
    expect(loadConfig(context({ config: JSON.stringify(inline) }), {}).stackName).toBe('Inline');
  });

  it('reports a file that is not JSON as a config error, naming the file', () => {
    const file = join(tmpdir(), `pg-rotator-config-${process.pid}-broken.json`);
    writeFileSync(file, '{ "env": ');
    expect(() => loadConfig(noContext, { [CONFIG_FILE_ENV_VAR]: file })).toThrow(
      new RegExp(`invalid pg-rotator config \\(${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\):\n  config: is not valid JSON`),
    );
  });
});
