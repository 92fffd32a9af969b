import { PgRotatorError } from '../../lambda/errors';

/** One problem in a config, at a dotted path such as `config.secrets[1].schedule`. */
export interface ConfigIssue {
  readonly field: string;
  readonly problem: string;
}

/**
 * The deployment config failed its schema. The message lists every issue, one per line, each naming the field,
 * so one synth shows everything to fix. Config holds ids and ARNs, never credentials, so values may be echoed
 * by the schema's own messages; they are not added here.
 *
 * @example
 * throw new ConfigError('infra/config/example.json', [{ field: 'config.secrets[1].schedule', problem: 'must be …' }]);
 */
export class ConfigError extends PgRotatorError {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';

  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    super(`invalid pg-rotator config (${source}):\n${issues.map((i) => `  ${i.field}: ${i.problem}`).join('\n')}`, options);
  }
}
