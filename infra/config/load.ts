import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error';
import { fieldPath } from './field-path';
import { PgRotatorConfigSchema, type PgRotatorConfig } from './schema';

/** The example config, used when nothing else is given, so `npm run synth` works on a fresh checkout. */
export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('./example.json', import.meta.url));
/** CDK context key holding the config itself (an object in cdk.json, or a JSON string from `-c`). */
export const CONFIG_CONTEXT_KEY = 'config';
/** CDK context key holding the path of a config file (`cdk synth -c configFile=prod.json`). */
export const CONFIG_FILE_CONTEXT_KEY = 'configFile';
/** Environment variable holding the path of a config file. */
export const CONFIG_FILE_ENV_VAR = 'PG_ROTATOR_CONFIG';

function toIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), problem: 'is not a known field' }))
      : // A record key (a profile's name) that its schema refuses: say why, not zod's "Invalid key in record".
        [{ field: fieldPath(issue.path), problem: issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message }],
  );
}

/**
 * Validates a config object. `source` names where it came from, for the error message.
 *
 * @throws {ConfigError} listing every issue with its field.
 */
export function parseConfig(input: unknown, source: string): PgRotatorConfig {
  const parsed = PgRotatorConfigSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(source, toIssues(parsed.error));
  return parsed.data;
}

/** Reads and validates a JSON config file. */
export function readConfigFile(path: string): PgRotatorConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(path, [{ field: 'config', problem: 'file cannot be read' }], { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(path, [{ field: 'config', problem: 'is not valid JSON' }], { cause });
  }
  return parseConfig(json, path);
}

/** What the loader needs from the CDK app: only context lookups. */
export interface ContextReader {
  tryGetContext(key: string): unknown;
}

/**
 * Finds the config, first match wins: context `config` (inline), context `configFile`, env `PG_ROTATOR_CONFIG`,
 * then the example. Relative paths are taken from the working directory, where `cdk` runs.
 */
export function loadConfig(context: ContextReader, env: NodeJS.ProcessEnv = process.env): PgRotatorConfig {
  const inline = context.tryGetContext(CONFIG_CONTEXT_KEY);
  if (inline !== undefined) {
    if (typeof inline !== 'string') return parseConfig(inline, `context ${CONFIG_CONTEXT_KEY}`);
    let json: unknown;
    try {
      json = JSON.parse(inline);
    } catch (cause) {
      throw new ConfigError(`context ${CONFIG_CONTEXT_KEY}`, [{ field: 'config', problem: 'is not valid JSON' }], { cause });
    }
    return parseConfig(json, `context ${CONFIG_CONTEXT_KEY}`);
  }
  const fromContext = context.tryGetContext(CONFIG_FILE_CONTEXT_KEY);
  if (fromContext !== undefined && typeof fromContext !== 'string') {
    throw new ConfigError(`context ${CONFIG_FILE_CONTEXT_KEY}`, [{ field: 'configFile', problem: 'must be a path' }]);
  }
  const path = fromContext ?? env[CONFIG_FILE_ENV_VAR] ?? DEFAULT_CONFIG_FILE;
  return readConfigFile(resolve(path));
}
