import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * IAM's limits on a role's policies ("IAM and AWS STS quotas", IAM user guide): all inline policies of a role together
 * at most 10,240 characters, each managed policy at most 6,144, and 10 managed policies attached (adjustable to 20).
 * IAM does not count white space.
 */
export const IAM_LIMITS = {
  roleInlineCharacters: 10_240,
  managedPolicyCharacters: 6_144,
  managedPoliciesPerRole: 10,
} as const;

/**
 * What an intrinsic stands for when a template is measured before deploy: the longest value it may become, so a
 * policy that passes here passes in any partition and region.
 */
const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws-iso-b',
  'AWS::Region': 'ap-southeast-7'.padEnd(16, 'x'),
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};
/** A reference to a resource (an ARN, mostly): a Lambda function ARN with a 64-character name is about 120. */
const REFERENCE = 'x'.repeat(140);
/** Anything else (Fn::Sub, Fn::ImportValue, …). */
const OTHER = 'x'.repeat(256);

/** A resolved template value with every intrinsic replaced by the longest text it may become. */
function substitute(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(substitute);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, argument] = entries[0] as [string, unknown];
    if (key === 'Ref') return typeof argument === 'string' && argument in PSEUDO_PARAMETERS ? PSEUDO_PARAMETERS[argument] : REFERENCE;
    if (key === 'Fn::GetAtt') return REFERENCE;
    if (key === 'Fn::Join' && Array.isArray(argument)) {
      const [delimiter, parts] = argument as [string, unknown[]];
      return parts.map((part) => String(substitute(part))).join(delimiter);
    }
    if (key.startsWith('Fn::')) return OTHER;
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, substitute(inner)]));
}

/**
 * A policy document's size as IAM counts it: its JSON without white space. Intrinsics count as the longest text
 * they may resolve to.
 *
 * @example
 * policyCharacters({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }); // 96
 */
export function policyCharacters(document: unknown): number {
  return JSON.stringify(substitute(document)).replace(/\s/g, '').length;
}

/** How much of IAM's limits a role uses. */
export interface RoleUsage {
  /** All its inline policies together: the role's own `Policies` and every AWS::IAM::Policy attached to it. */
  readonly inlineCharacters: number;
  /** Each customer managed policy attached to it (AWS::IAM::ManagedPolicy), by logical id. */
  readonly managedPolicyCharacters: Readonly<Record<string, number>>;
  /** Managed policies attached: ManagedPolicyArns plus AWS::IAM::ManagedPolicy resources naming the role. */
  readonly managedPolicies: number;
}

/** A CloudFormation template's resources, as synthesized. */
export type TemplateResources = Readonly<Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>>;

/** A role's usage in a synthesized template, by the role's logical id. */
export function roleUsage(resources: TemplateResources, roleLogicalId: string): RoleUsage {
  const namesRole = (roles: unknown) => Array.isArray(roles) && roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }));
  const role = resources[roleLogicalId]?.Properties ?? {};
  const ownInline = ((role.Policies ?? []) as { PolicyDocument: unknown }[]).map((policy) => policyCharacters(policy.PolicyDocument));
  const attachedInline = Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy' && namesRole(resource.Properties?.Roles))
    .map((resource) => policyCharacters(resource.Properties?.PolicyDocument));
  const managed = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::IAM::ManagedPolicy' && namesRole(resource.Properties?.Roles));
  return {
    inlineCharacters: [...ownInline, ...attachedInline].reduce((sum, size) => sum + size, 0),
    managedPolicyCharacters: Object.fromEntries(managed.map(([id, resource]) => [id, policyCharacters(resource.Properties?.PolicyDocument)])),
    managedPolicies: ((role.ManagedPolicyArns ?? []) as unknown[]).length + managed.length,
  };
}

/** What in a role's usage passes IAM's limits, as messages naming the role and the limit. */
export function limitProblems(roleName: string, usage: RoleUsage): string[] {
  const problems: string[] = [];
  if (usage.inlineCharacters > IAM_LIMITS.roleInlineCharacters) {
    problems.push(
      `${roleName}: its inline policies come to ${usage.inlineCharacters} characters, over IAM's ${IAM_LIMITS.roleInlineCharacters} for a role; scope the rotation function's secrets by condition (secretGrants: 'by-condition'), or list fewer secrets (admin secrets, a profile's secrets) in one deployment (docs/fleet.md)`,
    );
  }
  for (const [id, characters] of Object.entries(usage.managedPolicyCharacters)) {
    if (characters > IAM_LIMITS.managedPolicyCharacters) problems.push(`${roleName}: managed policy ${id} is ${characters} characters, over IAM's ${IAM_LIMITS.managedPolicyCharacters}`);
  }
  if (usage.managedPolicies > IAM_LIMITS.managedPoliciesPerRole) {
    problems.push(`${roleName}: ${usage.managedPolicies} managed policies attached, over IAM's default ${IAM_LIMITS.managedPoliciesPerRole}`);
  }
  return problems;
}

/**
 * Checks roles against IAM's limits at synth, from the constructs of their stack, so an oversized role fails
 * `cdk synth` naming the role rather than the deploy with CloudFormation's "Maximum policy size … exceeded".
 */
export function checkRoleLimits(scope: IConstruct, roles: readonly iam.Role[]): string[] {
  const stack = Stack.of(scope);
  const resources: Record<string, { Type: string; Properties: Record<string, unknown> }> = {};
  for (const child of stack.node.findAll()) {
    if (child instanceof iam.CfnPolicy) {
      resources[child.node.path] = { Type: 'AWS::IAM::Policy', Properties: { Roles: stack.resolve(child.roles), PolicyDocument: stack.resolve(child.policyDocument) } };
    } else if (child instanceof iam.CfnManagedPolicy) {
      resources[child.node.path] = { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: stack.resolve(child.roles), PolicyDocument: stack.resolve(child.policyDocument) } };
    }
  }
  return roles.flatMap((role) => {
    const cfnRole = role.node.defaultChild as iam.CfnRole;
    const { Ref: logicalId } = stack.resolve(cfnRole.ref) as { Ref: string };
    resources[logicalId] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        // L1 properties resolve in their TypeScript casing (policyDocument); the template's is PolicyDocument.
        Policies: ((stack.resolve(cfnRole.policies) ?? []) as { policyDocument: unknown }[]).map((policy) => ({ PolicyDocument: policy.policyDocument })),
        ManagedPolicyArns: stack.resolve(cfnRole.managedPolicyArns) ?? [],
      },
    };
    return limitProblems(role.node.path, roleUsage(resources, logicalId));
  });
}
