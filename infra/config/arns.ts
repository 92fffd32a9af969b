/**
 * The shapes of the AWS identifiers a config may hold. Checked here, at the boundary, so a typo fails at synth
 * with the field's name rather than at deploy time with a CloudFormation rollback.
 */

const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z])';
const REGION = '([a-z]{2}(?:-[a-z]+)+-\\d)';
const ACCOUNT = '(\\d{12})';
/**
 * Characters Secrets Manager allows in a secret name (`/_+=.@-`), plus the `!` of the names RDS gives the master
 * secrets it manages (`rds!db-…`, `rds!cluster-…`), which are admin secrets.
 */
const SECRET_NAME = '[A-Za-z0-9/_+=.@!-]+';

/**
 * A complete secret ARN ends with `-` and the 6 random characters Secrets Manager appends to the name.
 * IAM and EventBridge can then match it exactly.
 */
export const SECRET_COMPLETE_ARN = new RegExp(
  `^arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:${SECRET_NAME}-[A-Za-z0-9]{6}$`,
);
/** A partial secret ARN stops at the name; policies then need the `-??????` suffix (see secret-arns.ts). */
export const SECRET_PARTIAL_ARN = new RegExp(`^arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:${SECRET_NAME}$`);
/** A key ARN, not an alias: IAM resource matching and kms:ViaService grants need the key itself. */
export const KMS_KEY_ARN = new RegExp(`^arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/[A-Za-z0-9-]+$`);
export const IAM_ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role/[A-Za-z0-9+=,.@_/-]+$`);
export const SNS_TOPIC_ARN = new RegExp(`^arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:[A-Za-z0-9_-]{1,256}$`);

export const ACCOUNT_ID = /^\d{12}$/;
export const REGION_NAME = new RegExp(`^${REGION}$`);
export const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
export const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
export const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
export const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(\d|[12]\d|3[0-2])$/;

/** Where an ARN lives, for the same-account/same-region checks. */
export interface ArnLocation {
  readonly region: string;
  readonly account: string;
}

/**
 * Reads the region and account of a regional ARN (`arn:partition:service:region:account:...`).
 *
 * @example
 * arnLocation('arn:aws:sns:eu-west-1:123456789012:alerts'); // { region: 'eu-west-1', account: '123456789012' }
 */
export function arnLocation(arn: string): ArnLocation | undefined {
  const [prefix, , , region, account] = arn.split(':');
  if (prefix !== 'arn' || region === undefined || account === undefined) return undefined;
  return { region, account };
}

/**
 * The secret's name as it appears in its ARN, without the random suffix when the ARN is complete.
 *
 * @example
 * secretNameOf('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-AbCdEf', true); // 'prod/app'
 */
export function secretNameOf(arn: string, complete: boolean): string {
  const name = arn.split(':').slice(6).join(':');
  return complete ? name.slice(0, -7) : name;
}
