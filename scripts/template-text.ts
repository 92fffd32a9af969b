/**
 * A synthesized template's value as text: a string, or an `Fn::Join` of strings and `{ Ref }`s, each Ref written
 * `<LogicalId>` (as cdk-nag reads a resource). Any other value is what `unreadable` makes of it: the dashboard's
 * picture refuses it, the IAM checks compare its JSON.
 */
export function templateText(value: unknown, unreadable: (value: unknown) => string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    if ('Ref' in value) return `<${String(value.Ref)}>`;
    if ('Fn::Join' in value) {
      const [delimiter, parts] = value['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => templateText(part, unreadable)).join(delimiter);
    }
  }
  return unreadable(value);
}
