/**
 * Where the function's Secrets Manager calls go, decided as the AWS SDK for JavaScript v3 decides it, from the same
 * variables, so that moving off the SDK's client moved no call:
 * 1. an endpoint the deployment set (SECRETS_MANAGER_ENDPOINT, as AWS's rotation functions read it);
 * 2. the SDK's service-specific and global endpoint variables (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL),
 *    unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true ("Service-specific endpoints", AWS SDKs and Tools Reference);
 * 3. the regional endpoint of the region's partition, honouring AWS_USE_FIPS_ENDPOINT and AWS_USE_DUALSTACK_ENDPOINT.
 *
 * test/unit/secrets-manager-endpoint.test.ts holds step 3 to the SDK's own endpoint rules for every partition.
 */
import { InvalidInputError } from '../errors';

interface Partition {
  /** The partition's regions, as its `regionRegex` in the SDK's partitions.json matches them. */
  readonly regions: RegExp;
  readonly dnsSuffix: string;
  readonly dualStackDnsSuffix: string;
  /**
   * Secrets Manager's endpoints in the commercial, GovCloud and China partitions answer over IPv6 already, so its
   * endpoint rules send a dual-stack request to the ordinary host there (FIPS dual-stack too, except in China).
   */
  readonly dualStackIsDefault: 'always' | 'without-fips' | 'never';
}

const COMMERCIAL: Partition = { regions: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws', dualStackIsDefault: 'always' };

/** The other partitions, matched before the commercial one, which also takes any region no pattern knows (as the SDK does). */
const PARTITIONS: readonly Partition[] = [
  { regions: /^cn-\w+-\d+$/, dnsSuffix: 'amazonaws.com.cn', dualStackDnsSuffix: 'api.amazonwebservices.com.cn', dualStackIsDefault: 'without-fips' },
  { regions: /^us-gov-\w+-\d+$/, dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws', dualStackIsDefault: 'always' },
  { regions: /^us-iso-\w+-\d+$/, dnsSuffix: 'c2s.ic.gov', dualStackDnsSuffix: 'api.aws.ic.gov', dualStackIsDefault: 'never' },
  { regions: /^us-isob-\w+-\d+$/, dnsSuffix: 'sc2s.sgov.gov', dualStackDnsSuffix: 'api.aws.scloud', dualStackIsDefault: 'never' },
  { regions: /^eu-isoe-\w+-\d+$/, dnsSuffix: 'cloud.adc-e.uk', dualStackDnsSuffix: 'api.cloud-aws.adc-e.uk', dualStackIsDefault: 'never' },
  { regions: /^us-isof-\w+-\d+$/, dnsSuffix: 'csp.hci.ic.gov', dualStackDnsSuffix: 'api.aws.hci.ic.gov', dualStackIsDefault: 'never' },
  { regions: /^eusc-(de)-\w+-\d+$/, dnsSuffix: 'amazonaws.eu', dualStackDnsSuffix: 'api.amazonwebservices.eu', dualStackIsDefault: 'never' },
];

/** The regional endpoint's URL, as the SDK's rules build it. */
export function regionalEndpoint(region: string, options: { readonly fips: boolean; readonly dualStack: boolean }): string {
  const partition = PARTITIONS.find((p) => p.regions.test(region)) ?? COMMERCIAL;
  const dualStack =
    options.dualStack && !(partition.dualStackIsDefault === 'always' || (partition.dualStackIsDefault === 'without-fips' && !options.fips));
  const host = `secretsmanager${options.fips ? '-fips' : ''}.${region}.${dualStack ? partition.dualStackDnsSuffix : partition.dnsSuffix}`;
  return `https://${host}`;
}

/**
 * The endpoint for this environment.
 *
 * @param configured the deployment's own SECRETS_MANAGER_ENDPOINT, already validated as a URL
 * @throws InvalidInputError naming the variable, for an endpoint that is not a URL or would carry secret values in
 *   the clear (plain `http:` to anything but this machine's loopback, where only the local endpoints listen), and
 *   naming AWS_REGION when no endpoint is set and no region is known
 */
export function secretsManagerEndpoint(env: Readonly<Record<string, string | undefined>>, configured: string | undefined, region: string | undefined): string {
  if (configured !== undefined) return safeEndpoint('SECRETS_MANAGER_ENDPOINT', configured);
  if (!isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)) {
    for (const variable of ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL'] as const) {
      const value = env[variable];
      if (value) return safeEndpoint(variable, value);
    }
  }
  if (!region) throw new InvalidInputError('environment.AWS_REGION', 'is not set, and no Secrets Manager endpoint is (Lambda always sets AWS_REGION)');
  return regionalEndpoint(region, { fips: isTrue(env.AWS_USE_FIPS_ENDPOINT), dualStack: isTrue(env.AWS_USE_DUALSTACK_ENDPOINT) });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** GetSecretValue answers and PutSecretValue requests carry passwords: never over plain HTTP off this machine. */
function safeEndpoint(variable: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInputError(`environment.${variable}`, 'must be a URL');
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))) return value;
  throw new InvalidInputError(`environment.${variable}`, 'must be an https: URL (plain http: only to 127.0.0.1 or localhost): Secrets Manager answers carry passwords');
}

function isTrue(value: string | undefined): boolean {
  return value?.toLowerCase() === 'true';
}
