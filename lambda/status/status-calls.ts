import type { SecretListEntry } from '@aws-sdk/client-secrets-manager';
import type { SecretsManager } from '../secrets/secrets-manager-client';
import type { ListedSecret } from './secret-status';

/**
 * The two Secrets Manager calls the status check makes, both metadata only (IAM: secretsmanager:ListSecrets and
 * secretsmanager:ListSecretVersionIds; never GetSecretValue).
 */
export interface StatusCalls {
  /** One page of ListSecrets (at most 100 secrets, the API's maximum), without secrets scheduled for deletion. */
  listSecrets(page: { readonly nextToken?: string; readonly namePrefix?: string }): Promise<{ secrets: ListedSecret[]; nextToken?: string }>;
  /** The CreatedDate of one version (ListSecretVersionIds), or undefined if it is not listed. */
  versionCreatedAt(secretArn: string, versionId: string): Promise<Date | undefined>;
}

/** The calls on a real client. */
export function statusCalls(client: SecretsManager): StatusCalls {
  return {
    async listSecrets({ nextToken, namePrefix }) {
      const out = await client.call('ListSecrets', {
        MaxResults: 100,
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        ...(namePrefix === undefined ? {} : { Filters: [{ Key: 'name', Values: [namePrefix] }] }),
      });
      return { secrets: (out.SecretList ?? []).flatMap(listed), ...(out.NextToken === undefined ? {} : { nextToken: out.NextToken }) };
    },
    async versionCreatedAt(secretArn, versionId) {
      let nextToken: string | undefined;
      do {
        const out = await client.call('ListSecretVersionIds', { SecretId: secretArn, MaxResults: 100, ...(nextToken === undefined ? {} : { NextToken: nextToken }) });
        const version = out.Versions?.find((v) => v.VersionId === versionId);
        if (version) return version.CreatedDate;
        nextToken = out.NextToken;
      } while (nextToken !== undefined);
      return undefined;
    },
  };
}

function listed(entry: SecretListEntry): ListedSecret[] {
  if (entry.ARN === undefined || entry.Name === undefined) return [];
  return [
    {
      arn: entry.ARN,
      name: entry.Name,
      rotationEnabled: entry.RotationEnabled ?? false,
      rotationLambdaArn: entry.RotationLambdaARN,
      rotationRules: entry.RotationRules,
      lastRotatedDate: entry.LastRotatedDate,
      nextRotationDate: entry.NextRotationDate,
      createdDate: entry.CreatedDate,
      tags: Object.fromEntries((entry.Tags ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? '']]))),
      versionStages: entry.SecretVersionsToStages ?? {},
    },
  ];
}
