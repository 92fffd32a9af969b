import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import type { LocalStack } from '../local/stack';
import type { Target } from './target';

/** The admin login pg-rotator acts as, and its secret. */
export interface DemoAdmin {
  readonly role: string;
  /** The secret's name, as a person would type it on the command line. */
  readonly secretName: string;
  readonly secretArn: string;
}

/** What every part of the demo works with. */
export interface DemoContext {
  readonly stack: LocalStack;
  readonly target: Target;
  readonly admin: DemoAdmin;
  /** Runs SQL as the target's own admin login (the cluster superuser, or the --database-url user). */
  asServerAdmin<T>(work: (client: Client) => Promise<T>): Promise<T>;
  /** Remembers a role to drop at the end (on an existing server). */
  created(role: string): void;
  /**
   * Creates an application login the demo's admin may manage: on PostgreSQL 16 and newer a CREATEROLE admin needs
   * ADMIN OPTION on a role it did not create (docs/deploy.md), given without the role's privileges, or the role would
   * be protected from actions. Before 16 CREATEROLE is enough.
   */
  createManagedLogin(role: string, password: string): Promise<void>;
  createSecret(name: string, secret: Record<string, unknown>): Promise<string>;
  secretValue(arn: string, stage: string): Promise<{ username: string; password: string }>;
  /** `version: LABEL+LABEL` for each labelled version, as DescribeSecret reports them. */
  labels(arn: string): Promise<string>;
  /** Drops every role the demo made, in reverse order (only on an existing server). */
  cleanUp(): Promise<void>;
}

/**
 * Creates the admin pg-rotator acts as (CREATEROLE, not a superuser, as on RDS) with its secret, and the context
 * the demo's parts share.
 */
export async function createContext(stack: LocalStack, target: Target): Promise<DemoContext> {
  const roles: string[] = [];
  const secrets = stack.secretsClient();
  const asServerAdmin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client(target.admin);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  // Each secret is declared as a deployment's config would list it: its strategy, admin secret and login.
  const createSecret = async (name: string, secret: Record<string, unknown>): Promise<string> => {
    const out = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(secret) }));
    stack.declarations.declareLike(out.ARN as string, secret);
    return out.ARN as string;
  };

  const role = `demo_admin_${Math.random().toString(36).slice(2, 6)}`;
  const password = 'Demo-Admin-Passw0rd';
  await asServerAdmin((client) => client.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(password)}`));
  roles.push(role);
  const secretName = 'demo/admin-credentials';
  const secretArn = await createSecret(secretName, { engine: 'postgres', host: target.host, port: target.port, username: role, password, dbname: target.database });
  // The orchestrator's admin secret, as orchestration.adminSecrets declares it.
  stack.declarations.declareAdmin(secretArn);

  return {
    stack,
    target,
    admin: { role, secretName, secretArn },
    asServerAdmin,
    created: (name) => void roles.push(name),
    createManagedLogin: (login, loginPassword) =>
      asServerAdmin(async (client) => {
        await client.query(`CREATE ROLE ${escapeIdentifier(login)} LOGIN PASSWORD ${escapeLiteral(loginPassword)}`);
        const { rows } = await client.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
        if ((rows[0]?.v ?? 0) >= 160000) {
          await client.query(`GRANT ${escapeIdentifier(login)} TO ${escapeIdentifier(role)} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`);
        }
      }),
    createSecret,
    secretValue: async (arn, stage) => {
      const out = await secrets.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
      return JSON.parse(out.SecretString ?? '{}') as { username: string; password: string };
    },
    labels: async (arn) => {
      const out = await secrets.send(new DescribeSecretCommand({ SecretId: arn }));
      const entries = Object.entries(out.VersionIdsToStages ?? {}).filter(([, stages]) => stages.length > 0);
      return entries.map(([version, stages]) => `${version.slice(0, 8)}: ${stages.join('+')}`).join('  ');
    },
    cleanUp: async () => {
      if (!target.keepsRoles) return;
      await asServerAdmin(async (client) => {
        for (const name of [...roles].reverse()) {
          await client.query(`DROP OWNED BY ${escapeIdentifier(name)}`).catch(() => undefined);
          await client.query(`DROP ROLE IF EXISTS ${escapeIdentifier(name)}`).catch(() => undefined);
        }
      });
    },
  };
}
