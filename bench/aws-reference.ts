import { fileURLToPath } from 'node:url';
import type { LocalFunction } from '../local/lambda/local-function';
import { LOCAL_AWS } from '../local/stack';
import type { BenchEnvironment } from './bench-support';

/**
 * One of AWS's Python rotation functions as a warm worker on the local Lambda endpoint, talking to the same
 * local Secrets Manager (AWS's functions read SECRETS_MANAGER_ENDPOINT), over HTTPS as the benchmark's functions do
 * (boto3 trusts its CA through AWS_CA_BUNDLE). Their code is not part of this repository: the caller points at a
 * checkout. The test server's CA stands in for the Lambda image's /etc/pki/tls/cert.pem (see aws-reference-worker.py).
 */
export function awsReferenceFunction(functionDir: string, python: string, env: BenchEnvironment): LocalFunction {
  return {
    kind: 'command',
    command: python,
    args: [fileURLToPath(new URL('./aws-reference-worker.py', import.meta.url)), functionDir],
    env: {
      SECRETS_MANAGER_ENDPOINT: env.stack.secretsManager.endpoint,
      AWS_CA_BUNDLE: env.secretsManagerCaFile,
      LAMBDA_TRUST_STORE_FILE: env.caFile,
      AWS_DEFAULT_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
    },
    timeoutMs: 30_000,
  };
}
