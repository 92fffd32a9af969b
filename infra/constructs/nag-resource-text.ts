import type { Stack } from 'aws-cdk-lib';

/**
 * A resource as cdk-nag names it in a finding id (its flattenCfnReference): literal text kept, `{ Ref: X }` written
 * `<X>`, `Fn::Join` joined. An acknowledgement then names exactly this resource, in any stack (`<AWS::Partition>`,
 * and `<AWS::Region>` / `<AWS::AccountId>` in an environment-agnostic one), so another wildcard on the same policy is
 * still reported.
 *
 * @example
 * nagResourceText(stack, stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' }));
 * // 'arn:<AWS::Partition>:kms:eu-west-1:123456789012:key/*'
 */
export function nagResourceText(stack: Stack, resource: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node;
    if (typeof node === 'object' && node !== null) {
      if ('Ref' in node) return `<${flatten(node.Ref)}>`;
      if ('Fn::Join' in node && Array.isArray(node['Fn::Join'])) {
        const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
        return parts.map(flatten).join(delimiter);
      }
    }
    return JSON.stringify(node);
  };
  return flatten(stack.resolve(resource));
}
