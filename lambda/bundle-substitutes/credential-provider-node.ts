import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The bundle's stand-in for `@aws-sdk/credential-provider-node` (scripts/function-bundle.ts aliases it): the
 * credentials Lambda gives a function, its execution role's, in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN (Lambda's reserved environment variables), and nothing else.
 *
 * The SDK's default chain would look there first too; the rest of it (SSO, STS web identity, the login and process
 * providers, shared ini files, ECS and EC2 metadata) never answers in Lambda and was a sixth of the bundle (about
 * 100 KB of the 918). The SecretsManagerClient still signs every call with SigV4 as before; only where it finds the
 * keys changes. Where the function runs in-process (tests, the local stack, the demo) the SDK keeps its own chain and
 * the host passes credentials explicitly.
 *
 * @returns the SDK's own environment provider: it fails with CredentialsProviderError when the variables are absent
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): ReturnType<typeof fromEnv> => fromEnv(init);
