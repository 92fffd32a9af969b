/**
 * Where the function's Secrets Manager calls go: the endpoint the AWS SDK would have chosen from the same
 * environment, in every partition, so that leaving the SDK's client moved no call (a VPC endpoint's private DNS
 * answers for exactly these names).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { regionalEndpoint, secretsManagerEndpoint } from '../../lambda/secrets/secrets-manager-endpoint';

const REGIONS = [
  'us-east-1',
  'eu-central-2',
  'ap-southeast-7',
  'mx-central-1',
  'il-central-1',
  'cn-north-1',
  'cn-northwest-1',
  'us-gov-west-1',
  'us-gov-east-1',
  'us-iso-east-1',
  'us-isob-east-1',
  'eu-isoe-west-1',
  'us-isof-south-1',
  'eusc-de-east-1',
  // A region no partition names yet: the commercial partition's names, as the SDK does.
  'xx-future-1',
];

describe('the regional Secrets Manager endpoint', () => {
  const sdk = new SecretsManagerClient({ region: 'us-east-1' }).config.endpointProvider;

  for (const region of REGIONS) {
    it(`is the SDK's in ${region}, with and without FIPS and dual-stack`, () => {
      for (const fips of [false, true]) {
        for (const dualStack of [false, true]) {
          const expected = sdk({ Region: region, UseFIPS: fips, UseDualStack: dualStack }).url.origin;
          expect(regionalEndpoint(region, { fips, dualStack }), `fips ${fips}, dual-stack ${dualStack}`).toBe(expected);
        }
      }
    });
  }
});

describe('which endpoint the environment chooses', () => {
  it("takes the deployment's SECRETS_MANAGER_ENDPOINT first", () => {
    const env = { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'https://sdk-variable.example', AWS_ENDPOINT_URL: 'https://global.example' };
    expect(secretsManagerEndpoint(env, 'https://vpce.example', 'eu-west-1')).toBe('https://vpce.example');
  });

  it("then the SDK's service-specific variable, then its global one, unless told to ignore them", () => {
    expect(secretsManagerEndpoint({ AWS_ENDPOINT_URL_SECRETS_MANAGER: 'https://a.example', AWS_ENDPOINT_URL: 'https://b.example' }, undefined, 'eu-west-1')).toBe('https://a.example');
    expect(secretsManagerEndpoint({ AWS_ENDPOINT_URL: 'https://b.example' }, undefined, 'eu-west-1')).toBe('https://b.example');
    expect(secretsManagerEndpoint({ AWS_ENDPOINT_URL: 'https://b.example', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, undefined, 'eu-west-1')).toBe(
      'https://secretsmanager.eu-west-1.amazonaws.com',
    );
  });

  it('else the region\'s, with FIPS when AWS_USE_FIPS_ENDPOINT says so', () => {
    expect(secretsManagerEndpoint({}, undefined, 'us-gov-west-1')).toBe('https://secretsmanager.us-gov-west-1.amazonaws.com');
    expect(secretsManagerEndpoint({ AWS_USE_FIPS_ENDPOINT: 'true' }, undefined, 'us-gov-west-1')).toBe('https://secretsmanager-fips.us-gov-west-1.amazonaws.com');
    expect(secretsManagerEndpoint({ AWS_USE_DUALSTACK_ENDPOINT: 'TRUE' }, undefined, 'us-iso-east-1')).toBe('https://secretsmanager.us-iso-east-1.api.aws.ic.gov');
  });

  it('refuses an endpoint that would carry passwords in the clear, naming its variable; plain HTTP only on loopback', () => {
    expect(() => secretsManagerEndpoint({}, 'http://vpce-123.secretsmanager.eu-west-1.vpce.amazonaws.com', 'eu-west-1')).toThrow(
      /environment\.SECRETS_MANAGER_ENDPOINT: must be an https: URL/,
    );
    expect(() => secretsManagerEndpoint({ AWS_ENDPOINT_URL: 'http://10.0.0.5:4566' }, undefined, 'eu-west-1')).toThrow(/environment\.AWS_ENDPOINT_URL: must be an https: URL/);
    expect(() => secretsManagerEndpoint({ AWS_ENDPOINT_URL_SECRETS_MANAGER: 'not a url' }, undefined, 'eu-west-1')).toThrow(/AWS_ENDPOINT_URL_SECRETS_MANAGER: must be a URL/);
    expect(secretsManagerEndpoint({}, 'http://127.0.0.1:4566', 'eu-west-1')).toBe('http://127.0.0.1:4566');
    expect(secretsManagerEndpoint({}, 'http://localhost:4566', 'eu-west-1')).toBe('http://localhost:4566');
  });

  it('fails naming AWS_REGION when nothing says where to go', () => {
    expect(() => secretsManagerEndpoint({}, undefined, undefined)).toThrow(/AWS_REGION/);
  });
});
