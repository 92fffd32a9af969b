/**
 * Structured JSON logs, one line per event, for CloudWatch Logs Insights. Values under sensitive keys are
 * replaced before anything is written, so a careless call site cannot leak a password or a RotationToken.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys whose values never reach a log line, compared case-insensitively. */
const SENSITIVE_KEY = /pass(word)?|secret(string|binary)?$|rotationtoken|token$|credential|authorization|verifier/i;
/** Keys that look sensitive by name but carry only identifiers. */
const SAFE_KEYS = new Set(['clientrequesttoken', 'secretid', 'secretarn', 'masterarn', 'adminsecretarn']);

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) && !SAFE_KEYS.has(key.toLowerCase()) ? '[redacted]' : redact(item, depth + 1);
  }
  return out;
}

export function createLogger(options: { level?: LogLevel; fields?: LogFields; write?: (line: string) => void } = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const base = options.fields ?? {};
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (ORDER[level] < threshold) return;
    write(JSON.stringify(redact({ level, time: new Date().toISOString(), message, ...base, ...fields })));
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger({ level: options.level, fields: { ...base, ...fields }, write }),
  };
}
