/**
 * Every JSON example in README.md and docs/*.md that is a request, a response, an event, a secret, a grant, a
 * result, a deployment config or a permission policy is valid against the schema the code uses for it, exactly as written.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActionResultSchema } from '../../lambda/actions/action-result';
import { GrantSchema } from '../../lambda/actions/grants';
import { PermissionPolicySchema } from '../../lambda/actions/permission-policy';
import { TestResultSchema } from '../../lambda/checks/test-request';
import { EscEventSchema } from '../../lambda/esc/esc-event';
import { ResponseSchema } from '../../lambda/requests/envelope';
import { OrchestratorRequestSchema, REQUEST_KINDS } from '../../lambda/requests/orchestrator-request';
import { RotationEventSchema } from '../../lambda/rotation/rotation-event';
import { DatabaseSecretSchema } from '../../lambda/secrets/secret-format';
import { parseConfig } from '../../infra/config/load';
import type { Fence } from './markdown';
import { docFiles, fences } from './markdown';

/** What an example is, told from its keys, and how to check it. */
interface Kind {
  readonly name: string;
  readonly matches: (value: Record<string, unknown>) => boolean;
  readonly check: (value: unknown) => void;
}

const zodCheck = (schema: z.core.$ZodType) => (value: unknown) => {
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
};

/** In order: the first that matches decides. */
const KINDS: readonly Kind[] = [
  { name: 'response', matches: (v) => 'kind' in v && 'ok' in v, check: zodCheck(ResponseSchema) },
  { name: 'request', matches: (v) => 'kind' in v, check: zodCheck(OrchestratorRequestSchema) },
  { name: 'rotation event', matches: (v) => 'Step' in v, check: zodCheck(RotationEventSchema) },
  { name: 'ESC event', matches: (v) => 'managingUser' in v, check: zodCheck(EscEventSchema) },
  { name: 'secret', matches: (v) => 'engine' in v && 'username' in v, check: zodCheck(DatabaseSecretSchema) },
  { name: 'grant', matches: (v) => 'on' in v && 'privileges' in v, check: zodCheck(GrantSchema) },
  { name: 'action result', matches: (v) => 'action' in v && 'sql' in v, check: zodCheck(ActionResultSchema) },
  { name: 'test result', matches: (v) => 'latencyMs' in v, check: zodCheck(TestResultSchema) },
  { name: 'deployment config', matches: (v) => 'stackName' in v && 'secrets' in v, check: (v) => void parseConfig(v, 'docs') },
  { name: 'permission policy', matches: (v) => 'actions' in v && Array.isArray(v.actions), check: zodCheck(PermissionPolicySchema) },
];

interface Example {
  readonly where: string;
  readonly kind: Kind;
  readonly value: Record<string, unknown>;
}

/** A block's JSON values: the block as one document, else one per line (a list of objects, trailing commas allowed). */
function jsonValues(fence: Fence): unknown[] | undefined {
  try {
    return [JSON.parse(fence.text)];
  } catch {
    const lines = fence.text.split('\n').map((line) => line.trim().replace(/,$/, '')).filter(Boolean);
    try {
      return lines.map((line) => JSON.parse(line) as unknown);
    } catch {
      return undefined;
    }
  }
}

const jsonFences = docFiles().flatMap((file) => fences(file).filter((fence) => fence.lang === 'json'));
const examples: Example[] = jsonFences.flatMap((fence) =>
  (jsonValues(fence) ?? []).flatMap((value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
    const kind = KINDS.find((k) => k.matches(value as Record<string, unknown>));
    return kind ? [{ where: `${fence.file}:${fence.line}`, kind, value: value as Record<string, unknown> }] : [];
  }),
);

describe('JSON examples in the docs', () => {
  it.each(examples.map((example) => [example.where, example.kind.name, example] as const))('%s is a valid %s', (_where, _kind, example) => {
    expect(() => example.kind.check(example.value)).not.toThrow();
  });

  it('show a request of every kind, and responses', () => {
    const kinds = new Set(examples.filter((e) => e.kind.name === 'request').map((e) => e.value.kind));

    expect([...kinds].sort()).toEqual([...REQUEST_KINDS].sort());
    expect(examples.filter((e) => e.kind.name === 'response').length).toBeGreaterThanOrEqual(2);
    expect(examples.filter((e) => e.kind.name === 'permission policy').length).toBeGreaterThanOrEqual(1);
  });

  it('are JSON as written wherever they look like a request, an event or a secret', () => {
    const unparsed = jsonFences.filter((fence) => jsonValues(fence) === undefined && /"(kind|Step|engine|managingUser)"\s*:/.test(fence.text));

    expect(unparsed.map((fence) => `${fence.file}:${fence.line}`)).toEqual([]);
  });
});
