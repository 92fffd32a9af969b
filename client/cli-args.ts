import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from 'node:util';
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

/**
 * What the command line asks for: help, or one request (a built one, or JSON to read from a file or stdin). `view`
 * is how to show the answer: the response envelope as JSON (the default), or the status table.
 */
export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'request'; readonly options: GlobalOptions; readonly request: Record<string, unknown>; readonly view?: 'status-table' }
  | { readonly kind: 'request-file'; readonly options: GlobalOptions; readonly file: string };

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options before or after the command. Every value option may repeat, so a repeated single one can be refused. */
const GLOBAL_OPTIONS = {
  function: { type: 'string', multiple: true },
  region: { type: 'string', multiple: true },
  'endpoint-url': { type: 'string', multiple: true },
  caller: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean' },
} as const satisfies Options;

const value = { type: 'string', multiple: true } as const;
const TARGET_OPTIONS = { 'admin-secret': value, 'connection-secret': value, database: value } as const satisfies Options;

/** Each command's own options, beyond the global ones; an action's parameters are added from its schema. */
const COMMAND_OPTIONS = {
  action: { ...TARGET_OPTIONS, params: value },
  test: { secret: value, 'connection-secret': value, database: value, admin: { type: 'boolean' }, 'managed-role': value, schema: value },
  discover: { ...TARGET_OPTIONS, role: value, schema: value },
  rotate: { secret: value, mode: value },
  request: { file: value },
  status: { 'name-prefix': value, 'findings-only': { type: 'boolean' }, json: { type: 'boolean' } },
} as const satisfies Record<string, Options>;
type Command = keyof typeof COMMAND_OPTIONS;

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * Parses the command line into a request, without I/O, on Node's util.parseArgs: a first, lenient pass finds the
 * command (and an action's name), a second, strict one parses exactly that command's options, so an option another
 * command takes is still refused here. The request is not validated here: the client validates it with the
 * function's own schemas, so the CLI and the function cannot disagree.
 *
 * @throws InvalidInputError naming the flag, for usage errors.
 */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliCommand {
  const first = parseArgs({ args: [...argv], options: GLOBAL_OPTIONS, strict: false, allowPositionals: true });
  if (first.values.help === true || first.positionals.length === 0) return { kind: 'help' };
  const command = first.positionals[0] as string;
  if (!(command in COMMAND_OPTIONS)) {
    throw new InvalidInputError('command', `"${command.slice(0, 40)}" is not one of ${Object.keys(COMMAND_OPTIONS).join(', ')}`);
  }
  const actionName = command === 'action' ? actionNameOf(first.positionals[1]) : undefined;
  const options: Options = { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS[command as Command], ...(actionName ? actionOptions(actionName) : {}) };
  const { values, positionals } = strictParse(argv, options);
  const extra = positionals.slice(actionName ? 2 : 1);
  if (extra.length > 0) throw new InvalidInputError('arguments', `unexpected "${String(extra[0]).slice(0, 40)}"`);

  const one = (name: string) => single(values, name);
  const list = (name: string) => values[name] as string[] | undefined;
  const globals: GlobalOptions = {
    functionName: one('function') ?? (command === 'status' ? env.PG_ROTATOR_STATUS_FUNCTION : env.PG_ROTATOR_FUNCTION),
    region: one('region'),
    endpointUrl: one('endpoint-url'),
    caller: one('caller'),
    dryRun: values['dry-run'] === true,
  };
  if (globals.functionName === undefined) {
    throw new InvalidInputError('--function', `is required (or set ${command === 'status' ? 'PG_ROTATOR_STATUS_FUNCTION' : 'PG_ROTATOR_FUNCTION'})`);
  }
  const caller = globals.caller === undefined ? {} : { caller: globals.caller };
  const target = () => ({ adminSecretArn: one('admin-secret'), ...defined({ connectionSecretArn: one('connection-secret'), database: one('database') }) });
  const request = (body: Record<string, unknown>, view?: 'status-table'): CliCommand => ({ kind: 'request', options: globals, request: { ...body, ...caller }, ...(view ? { view } : {}) });

  switch (command as Command) {
    case 'request': {
      const file = one('file');
      if (file === undefined) throw new InvalidInputError('--file', 'is required: a path, or - for stdin');
      return { kind: 'request-file', options: globals, file };
    }
    case 'action': {
      const name = actionName as ActionName;
      const json = one('params');
      const params: Record<string, unknown> = json === undefined ? {} : parseJsonObject(json, '--params');
      for (const flag of Object.keys(actionOptions(name))) {
        const given = values[flag];
        if (given !== undefined) params[camel(flag)] = coerce(name, camel(flag), Array.isArray(given) ? given.map(String) : [String(given)]);
      }
      return request({ kind: 'action', action: name, target: target(), params, ...(globals.dryRun ? { dryRun: true } : {}) });
    }
    case 'test':
      return request({
        kind: 'test',
        secretArn: one('secret'),
        ...defined({ connectionSecretArn: one('connection-secret'), database: one('database') }),
        ...(values.admin === true ? { admin: { managedRoles: list('managed-role') ?? [], schemas: list('schema') ?? [] } } : {}),
      });
    case 'discover':
      return request({ kind: 'discover', target: target(), ...defined({ roles: list('role'), schemas: list('schema') }) });
    case 'rotate':
      return request({ kind: 'rotate', secretId: one('secret'), ...defined({ mode: one('mode') }) });
    case 'status':
      return request(
        { kind: 'status', ...defined({ namePrefix: one('name-prefix') }), ...(values['findings-only'] === true ? { list: 'findings' } : {}) },
        values.json === true ? undefined : 'status-table',
      );
  }
}

function actionNameOf(name: string | undefined): ActionName {
  if (name === undefined || !(ACTION_NAMES as readonly string[]).includes(name)) {
    throw new InvalidInputError('action', `must be one of ${ACTION_NAMES.join(', ')}`);
  }
  return name as ActionName;
}

/** parseArgs in strict mode, its errors as InvalidInputError naming the flag. */
function strictParse(argv: readonly string[], options: Options): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true }) as { values: Values; positionals: string[] };
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const flag = /'(--[^'\s<]+)/.exec(message)?.[1] ?? 'arguments';
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new InvalidInputError(flag, 'is not an option of this command');
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new InvalidInputError(flag, message.includes('argument missing') ? 'needs a value' : 'takes no value');
    }
    throw new InvalidInputError(flag, message.slice(0, 200));
  }
}

function single(values: Values, name: string): string | undefined {
  const given = values[name];
  if (given === undefined) return undefined;
  const all = Array.isArray(given) ? given : [given];
  if (all.length > 1) throw new InvalidInputError(`--${name}`, 'is given more than once');
  return String(all[0]);
}

function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (param: string) => param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

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

/** The action's own schema for its parameters. */
function paramsShape(action: ActionName): Record<string, z.core.$ZodType> {
  const option = ActionRequestSchema.def.options.find((o) => (o.shape.action.def.values as readonly string[]).includes(action));
  return (option?.shape.params.shape ?? {}) as Record<string, z.core.$ZodType>;
}

/** One parseArgs option per parameter of the action, by its type: booleans are switches, the rest take values. */
function actionOptions(action: ActionName): Options {
  return Object.fromEntries(
    Object.keys(paramsShape(action)).map((param) => [kebab(param), parameterType(action, param) === 'boolean' ? { type: 'boolean' as const } : value]),
  );
}

/** The zod type name of one action parameter, looked up in the action's own request schema. */
function parameterType(action: ActionName, param: string): string | undefined {
  let schema: z.core.$ZodType | undefined = paramsShape(action)[param];
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
      throw new InvalidInputError(`--${kebab(param)}`, 'is not valid JSON');
    }
  };
  switch (type) {
    case 'string[]':
      return values.length === 1 && one.startsWith('[') ? json(one) : [...values];
    case 'json[]':
      return values.length === 1 && one.startsWith('[') ? json(one) : values.map(json);
    case 'boolean':
      return one === 'true';
    case 'number':
      return Number.isNaN(Number(one)) ? one : Number(one);
    case 'json':
      return json(one);
    default:
      return one;
  }
}
