import type * as z from 'zod/mini';
import { ACTION_NAMES } from '../lambda/actions/action-names';
import type { ActionName } from '../lambda/actions/action-names';
import { ActionRequestSchema } from '../lambda/actions/action-request';
import { InvalidInputError } from '../lambda/errors';

/** Options every command takes: where the function is, and who asks. */
export interface GlobalOptions {
  readonly functionName: string | undefined;
  readonly region: string | undefined;
  readonly endpointUrl: string | undefined;
  readonly caller: string | undefined;
  readonly dryRun: boolean;
}

/** What the command line asks for: help, or one request (a built one, or JSON to read from a file or stdin). */
export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'request'; readonly options: GlobalOptions; readonly request: Record<string, unknown> }
  | { readonly kind: 'request-file'; readonly options: GlobalOptions; readonly file: string };

/** The --help text. */
export const USAGE = `Usage: pg-rotator [options] <command> [arguments]

Invoke pg-rotator's orchestrator API (a Lambda function) and print the response envelope as JSON.

Commands:
  action <name>   Run an action. Parameters as --<param> <value> flags (kebab-case; repeat a flag for lists;
                  a flag without value is true) and/or --params '<json>'. Actions:
                  ${ACTION_NAMES.join(', ')}
  test            Log in with a secret; report TLS, authentication, latency and, with --admin, the checklist.
  discover        List roles, memberships, schemas and privileges.
  rotate          Rotate a secret now.
  request         Send a request written as JSON: --file <path>, or --file - for stdin (e.g. a rollback).

Options:
  --function <name|arn>      The pg-rotator function (default: $PG_ROTATOR_FUNCTION).
  --region <region>          AWS region (default: the AWS SDK's, e.g. $AWS_REGION).
  --endpoint-url <url>       Lambda endpoint URL (local endpoints, VPC endpoints).
  --caller <text>            Who is asking; recorded in the audit log.
  --dry-run                  Actions: return the SQL and the rollback without changing anything.
  --help                     Show this help.

Arguments:
  action:    --admin-secret <arn> [--connection-secret <arn>] [--database <name>] [--params <json>] [--<param> <value>]...
  test:      --secret <arn> [--connection-secret <arn>] [--database <name>] [--admin] [--managed-role <role>]... [--schema <name>]...
  discover:  --admin-secret <arn> [--connection-secret <arn>] [--database <name>] [--role <role>]... [--schema <name>]...
  rotate:    --secret <arn> [--mode inline|secrets-manager]

Examples:
  pg-rotator --function pg-rotator action lock-user --admin-secret db/admin --role alice --terminate-sessions
  pg-rotator --function pg-rotator --dry-run action create-read-only-user --admin-secret db/admin \\
      --role reporting --schemas app --secret-name db/reporting
  pg-rotator --function pg-rotator test --secret db/admin --admin --managed-role alice --schema app

Exit status: 0 the request succeeded; 1 it failed (ok: false, code in error.code); 2 usage or validation error;
3 the invocation itself failed.`;

const GLOBAL_VALUE_FLAGS = new Set(['function', 'region', 'endpoint-url', 'caller']);
/** Flags that never take a value, so `--dry-run action …` does not read "action" as its value. */
const SWITCHES = new Set(['help', 'dry-run', 'admin']);

interface Flags {
  readonly values: Map<string, string[]>;
  readonly positional: string[];
}

/**
 * Parses the command line into a request, without I/O. The request is not validated here: the client validates
 * it with the function's own schemas, so the CLI and the function cannot disagree.
 *
 * @throws InvalidInputError naming the flag, for usage errors.
 */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliCommand {
  const flags = tokenize(argv);
  if (flags.values.has('help') || flags.positional.length === 0) return { kind: 'help' };
  const options: GlobalOptions = {
    functionName: single(flags, 'function') ?? env.PG_ROTATOR_FUNCTION,
    region: single(flags, 'region'),
    endpointUrl: single(flags, 'endpoint-url'),
    caller: single(flags, 'caller'),
    dryRun: flags.values.has('dry-run'),
  };
  if (options.functionName === undefined) throw new InvalidInputError('--function', 'is required (or set PG_ROTATOR_FUNCTION)');
  const [command, ...rest] = flags.positional;
  const used = new Set(['help', 'dry-run', ...GLOBAL_VALUE_FLAGS]);
  const take = (name: string) => {
    used.add(name);
    return single(flags, name);
  };
  const takeList = (name: string) => {
    used.add(name);
    return flags.values.get(name)?.filter((v) => v !== 'true');
  };
  const caller = options.caller === undefined ? {} : { caller: options.caller };
  const target = () => ({
    adminSecretArn: take('admin-secret'),
    ...defined({ connectionSecretArn: take('connection-secret'), database: take('database') }),
  });
  let request: Record<string, unknown>;
  switch (command) {
    case 'request': {
      const file = take('file');
      if (file === undefined) throw new InvalidInputError('--file', 'is required: a path, or - for stdin');
      rejectUnknown(flags, used, rest);
      return { kind: 'request-file', options, file };
    }
    case 'action': {
      const name = rest.shift();
      if (name === undefined || !(ACTION_NAMES as readonly string[]).includes(name)) {
        throw new InvalidInputError('action', `must be one of ${ACTION_NAMES.join(', ')}`);
      }
      const base = target();
      const json = take('params');
      const params: Record<string, unknown> = json === undefined ? {} : parseJsonObject(json, '--params');
      for (const [flag, values] of flags.values) {
        if (used.has(flag)) continue;
        used.add(flag);
        params[camel(flag)] = coerce(name as ActionName, camel(flag), values);
      }
      request = { kind: 'action', action: name, target: base, params, ...(options.dryRun ? { dryRun: true } : {}), ...caller };
      break;
    }
    case 'test': {
      const admin = flags.values.has('admin');
      used.add('admin');
      request = {
        kind: 'test',
        secretArn: take('secret'),
        ...defined({ connectionSecretArn: take('connection-secret'), database: take('database') }),
        ...(admin ? { admin: { managedRoles: takeList('managed-role') ?? [], schemas: takeList('schema') ?? [] } } : {}),
        ...caller,
      };
      break;
    }
    case 'discover':
      request = { kind: 'discover', target: target(), ...defined({ roles: takeList('role'), schemas: takeList('schema') }), ...caller };
      break;
    case 'rotate':
      request = { kind: 'rotate', secretId: take('secret'), ...defined({ mode: take('mode') }), ...caller };
      break;
    default:
      throw new InvalidInputError('command', `"${String(command).slice(0, 40)}" is not one of action, test, discover, rotate, request`);
  }
  rejectUnknown(flags, used, rest);
  return { kind: 'request', options, request };
}

function tokenize(argv: readonly string[]): Flags {
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (!token.startsWith('--') || token === '--') {
      positional.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
    let value: string;
    if (eq !== -1) value = token.slice(eq + 1);
    else if (SWITCHES.has(name)) value = 'true';
    else if (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) value = argv[++i] as string;
    else value = 'true';
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { values, positional };
}

function single(flags: Flags, name: string): string | undefined {
  const values = flags.values.get(name);
  if (values === undefined) return undefined;
  if (values.length > 1) throw new InvalidInputError(`--${name}`, 'is given more than once');
  return values[0];
}

function rejectUnknown(flags: Flags, used: Set<string>, rest: readonly string[]): void {
  const unknown = [...flags.values.keys()].find((name) => !used.has(name));
  if (unknown !== undefined) throw new InvalidInputError(`--${unknown}`, 'is not an option of this command');
  if (rest.length > 0) throw new InvalidInputError('arguments', `unexpected "${String(rest[0]).slice(0, 40)}"`);
}

function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function parseJsonObject(text: string, field: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInputError(field, 'is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidInputError(field, 'must be a JSON object');
  return value as Record<string, unknown>;
}

/** The zod type name of one action parameter, looked up in the action's own request schema. */
function parameterType(action: ActionName, param: string): string | undefined {
  const option = ActionRequestSchema.def.options.find((o) => (o.shape.action.def.values as readonly string[]).includes(action));
  let schema: z.core.$ZodType | undefined = (option?.shape.params.shape as Record<string, z.core.$ZodType> | undefined)?.[param];
  // By the definition's type, not the class: the function's schemas are zod/mini's, and string formats such as
  // z.iso.datetime() are strings too.
  while (schema !== undefined && (schema._zod.def.type === 'optional' || schema._zod.def.type === 'default')) {
    schema = (schema._zod.def as z.core.$ZodOptionalDef | z.core.$ZodDefaultDef).innerType;
  }
  const def = schema?._zod.def;
  if (def?.type === 'array') return (def as z.core.$ZodArrayDef).element._zod.def.type === 'string' ? 'string[]' : 'json[]';
  switch (def?.type) {
    case undefined:
      return undefined;
    case 'boolean':
    case 'number':
    case 'string':
      return def.type;
    default:
      return 'json';
  }
}

/** A flag's values as the parameter's type: repeated for lists, true/false, numbers, JSON for objects. */
function coerce(action: ActionName, param: string, values: readonly string[]): unknown {
  const type = parameterType(action, param);
  const one = values.at(-1) as string;
  const json = (text: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new InvalidInputError(`--${param}`, 'is not valid JSON');
    }
  };
  switch (type) {
    case 'string[]':
      return values.length === 1 && one.startsWith('[') ? json(one) : [...values];
    case 'json[]':
      return values.length === 1 && one.startsWith('[') ? json(one) : values.map(json);
    case 'boolean':
      return one === 'true' ? true : one === 'false' ? false : one;
    case 'number':
      return Number.isNaN(Number(one)) ? one : Number(one);
    case 'json':
      return json(one);
    default:
      // A string, or a parameter the action does not have: the request schema names it in its error.
      return one;
  }
}
