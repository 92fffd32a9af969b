import { invalidParameter } from './errors';

/**
 * The shape check of a KmsKeyId. The endpoint encrypts nothing, so it cannot tell whether a key exists; it can still
 * refuse what no KMS key reference looks like, as AWS does. The API reference (CreateSecret, KmsKeyId): "The ARN, key
 * ID, or alias of the KMS key ... An alias is always prefixed by alias/". KMS names four forms (KMS developer guide,
 * "Key identifiers (KeyId)"): key ID `1234abcd-12ab-34cd-56ef-1234567890ab` (or a multi-Region `mrk-` + 32 hex
 * digits), key ARN `arn:aws:kms:<region>:<account>:key/<key id>`, alias name `alias/<name>`, alias ARN
 * `arn:aws:kms:<region>:<account>:alias/<name>`. A bare alias without `alias/` is the classic mistake (boto3#1753);
 * AWS answers it with InvalidParameterException "The operation failed because of an invalid KMS key: Invalid keyId"
 * (terraform-provider-aws#13303).
 */

const KEY_ID = '(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})';
// Alias names: letters, digits, slash, underscore and hyphen, up to 256 characters with the prefix.
const ALIAS = 'alias/[A-Za-z0-9/_-]{1,250}';
const ARN_PREFIX = 'arn:aws(?:-[a-z]+)*:kms:[a-z]{2}(?:-[a-z]+)+-\\d:\\d{12}:';

const KMS_KEY_REFERENCE = new RegExp(`^(?:${KEY_ID}|${ALIAS}|${ARN_PREFIX}key/${KEY_ID}|${ARN_PREFIX}${ALIAS})$`);

/** AWS's text for a KmsKeyId that names no key. */
export const INVALID_KMS_KEY_MESSAGE = 'The operation failed because of an invalid KMS key: Invalid keyId';

/**
 * True when `value` has the shape of a KMS key ID, key ARN, alias name or alias ARN.
 *
 * @example
 * isKmsKeyReference('alias/aws/secretsmanager'); // true
 * isKmsKeyReference('aws/secretsmanager'); // false: an alias needs its alias/ prefix
 */
export function isKmsKeyReference(value: string): boolean {
  return KMS_KEY_REFERENCE.test(value);
}

/**
 * Refuses a KmsKeyId that no KMS key could have.
 *
 * @throws AwsApiError InvalidParameterException with AWS's text.
 */
export function checkKmsKeyId(value: string | undefined): void {
  if (value !== undefined && !isKmsKeyReference(value)) throw invalidParameter(INVALID_KMS_KEY_MESSAGE);
}
