import { DEFAULT_METRICS_NAMESPACE } from '../config/environment';
import type { MetricSet } from './metrics';
import { emfMembers } from './metrics';

/**
 * Structured JSON logs, one line per event, for CloudWatch Logs Insights. Values under sensitive keys are
 * replaced before anything is written, so a careless call site cannot leak a password or a RotationToken.
 * A line may also carry CloudWatch metrics (`metrics.ts`, the Embedded Metric Format): such a line is written
 * whatever the level, since dropping it would drop the metrics.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields, metrics?: MetricSet): void;
  info(message: string, fields?: LogFields, metrics?: MetricSet): void;
  warn(message: string, fields?: LogFields, metrics?: MetricSet): void;
  error(message: string, fields?: LogFields, metrics?: MetricSet): void;
  child(fields: LogFields): Logger;
}

const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys whose values never reach a log line, compared case-insensitively. */
const SENSITIVE_KEY = /pass(word)?|pwd|secret(string|binary)?$|rotationtoken|token$|credential|authorization|verifier|connectionstring|dsn$|privatekey/i;
/** Keys that look sensitive by name but carry only identifiers. */
const SAFE_KEYS = new Set(['clientrequesttoken', 'secretid', 'secretarn', 'masterarn', 'adminsecretarn']);

/** How deep a logged value is read; below it, nothing is shown, since nothing below it was checked. */
const MAX_DEPTH = 8;

export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) && !SAFE_KEYS.has(key.toLowerCase()) ? '[redacted]' : redact(item, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly fields?: LogFields;
  readonly write?: (line: string) => void;
  /** The CloudWatch namespace of the metrics lines carry. @default {@link DEFAULT_METRICS_NAMESPACE} */
  readonly metricsNamespace?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const base = options.fields ?? {};
  const namespace = options.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel, message: string, fields?: LogFields, metrics?: MetricSet) => {
    if (ORDER[level] < threshold && metrics === undefined) return;
    const now = Date.now();
    // The EMF members go last and are not redacted: their names and values come from metric-catalog.ts, never from a caller.
    const emf = metrics === undefined ? {} : emfMembers(namespace, metrics, now);
    write(JSON.stringify({ ...(redact({ level, time: new Date(now).toISOString(), message, ...base, ...fields }) as object), ...emf }));
  };
  return {
    debug: (message, fields, metrics) => emit('debug', message, fields, metrics),
    info: (message, fields, metrics) => emit('info', message, fields, metrics),
    warn: (message, fields, metrics) => emit('warn', message, fields, metrics),
    error: (message, fields, metrics) => emit('error', message, fields, metrics),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields }, write }),
  };
}
