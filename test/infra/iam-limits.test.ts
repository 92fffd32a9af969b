import { describe, expect, it } from 'vitest';
import { IAM_LIMITS, limitProblems, policyCharacters, roleUsage } from '../../infra/constructs/iam-limits';

describe('policy size as IAM counts it', () => {
  it('is the JSON without white space', () => {
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
    expect(policyCharacters(document)).toBe(96);
    expect(policyCharacters({ ...document, Statement: [{ ...document.Statement[0], Sid: 'With Spaces' }] })).toBe(96 + '"Sid":"WithSpaces",'.length);
  });

  it('counts an intrinsic as the longest text it may resolve to', () => {
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:*']] };
    // "arn:aws-iso-b:secretsmanager:<16>:<12>:secret:*" in quotes.
    expect(policyCharacters(arn)).toBe(2 + 'arn:aws-iso-b:secretsmanager:'.length + 16 + 1 + 12 + ':secret:*'.length);
    expect(policyCharacters({ 'Fn::GetAtt': ['Function', 'Arn'] })).toBe(142);
  });
});

describe("a role's usage", () => {
  const statement = (resources: string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: resources }] });
  const resources = (count: number) => ({
    Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'Own', PolicyDocument: statement(['a']) }], ManagedPolicyArns: ['arn:aws:iam::aws:policy/x'] } },
    Attached: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: statement(Array.from({ length: count }, (_, i) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-${i}`)) } },
    Elsewhere: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Other' }], PolicyDocument: statement(['b']) } },
    Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: statement(['c']) } },
  });

  it('adds its own and attached inline policies, and counts managed policies attached either way', () => {
    const usage = roleUsage(resources(1), 'Role');
    expect(usage.inlineCharacters).toBe(policyCharacters(statement(['a'])) + policyCharacters(resources(1).Attached.Properties.PolicyDocument));
    expect(usage.managedPolicies).toBe(2);
    expect(usage.managedPolicyCharacters).toEqual({ Managed: policyCharacters(statement(['c'])) });
    expect(limitProblems('Role', usage)).toEqual([]);
  });

  it("names the role and the limit once the inline policies pass IAM's 10,240 characters", () => {
    const usage = roleUsage(resources(200), 'Role');
    expect(usage.inlineCharacters).toBeGreaterThan(IAM_LIMITS.roleInlineCharacters);
    expect(limitProblems('Stack/Rotator/Role', usage)).toEqual([expect.stringMatching(/^Stack\/Rotator\/Role: its inline policies come to \d+ characters, over IAM's 10240/)]);
  });
});
