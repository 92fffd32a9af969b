import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { templateText } from '../../scripts/template-text';

/** What AWSLambdaVPCAccessExecutionRole grants, which the role holds inline on `*`. */
export const ENI_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** One IAM policy statement as the template holds it. */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * Every identity-policy statement in the template: managed-free roles' inline policies and AWS::IAM::Policy.
 *
 * @param include which policies and roles count, by logical id @default all
 */
export function iamStatements(template: Template, include: (logicalId: string) => boolean = () => true): Statement[] {
  const chosen = (type: string) => Object.entries(template.findResources(type)).filter(([logicalId]) => include(logicalId)).map(([, resource]) => resource);
  const policies = chosen('AWS::IAM::Policy').map(
    (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
  );
  const inline = chosen('AWS::IAM::Role').flatMap((role) =>
    ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).map(
      (policy) => policy.PolicyDocument.Statement,
    ),
  );
  return [...policies, ...inline].flat();
}

/** A resource as text (`Fn::Join`s of strings and Refs, each Ref written `<Ref>`, as cdk-nag reads it), else its JSON. */
export function resourceText(resource: unknown): string {
  return templateText(resource, (value) => JSON.stringify(value));
}

/** Actions granted on a resource containing `*`, joined intrinsics included (the documented exceptions only). */
export function wildcardActions(template: Template): string[] {
  return iamStatements(template)
    .filter((statement) => asArray(statement.Resource).some((r) => resourceText(r).includes('*')))
    .flatMap((statement) => asArray(statement.Action))
    .sort();
}

/** The statements of the one AWS::IAM::Policy whose logical id starts with `logicalIdPrefix`. */
export function policyNamed(template: Template, logicalIdPrefix: string): Statement[] {
  const matches = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([logicalId]) =>
    logicalId.startsWith(logicalIdPrefix),
  );
  expect(matches, `policies ${logicalIdPrefix}`).toHaveLength(1);
  return matches[0]?.[1].Properties.PolicyDocument.Statement as Statement[];
}
