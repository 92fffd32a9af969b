import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';

/** The ARN an IAM policy or a binding names a secret by: its complete ARN when known, else its partial ARN. */
export function secretArnOf(secret: ISecret): string {
  return secret.secretFullArn ?? secret.secretArn;
}

/** {@link secretArnOf} of an optional secret (a binding's admin or companion secret). */
export function optionalSecretArn(secret: ISecret | undefined): string | undefined {
  return secret === undefined ? undefined : secretArnOf(secret);
}

/**
 * The IAM resource that matches exactly one secret. A secret imported by partial ARN (its name, no random
 * suffix) gets `-??????`: six single-character wildcards match the suffix Secrets Manager appends and nothing
 * longer, so `prod/app` does not also grant `prod/app-admin`. This is what CDK's own grants do.
 *
 * @example
 * secretPolicyResource(Secret.fromSecretPartialArn(stack, 'S', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app'));
 * // 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-??????'
 */
export function secretPolicyResource(secret: ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/**
 * The EventBridge matcher for a secret's ARN in an event: the ARN itself, or for a partial ARN a prefix up to
 * and including the `-` before the suffix (events always carry the complete ARN).
 */
export function secretEventMatcher(secret: ISecret): string | { prefix: string } {
  return secret.secretFullArn ?? { prefix: `${secret.secretArn}-` };
}
