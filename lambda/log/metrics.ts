/**
 * CloudWatch metrics carried by the function's own log lines, in the Embedded Metric Format (EMF): CloudWatch Logs
 * extracts them from the line, so measuring costs no PutMetricData call, no network and no IAM grant. What
 * pg-rotator measures is in `metric-catalog.ts`; this file only writes the format.
 *
 * The rules followed ("Specification: Embedded metric format", CloudWatch user guide):
 * - `_aws.Timestamp` is an integer of milliseconds since the epoch; `_aws.CloudWatchMetrics` holds MetricDirectives,
 *   each a `Namespace`, `Dimensions` (an array of DimensionSets, each at most 30 keys) and `Metrics` (at most 100
 *   MetricDefinitions of `Name` and an optional `Unit` from CloudWatch's StandardUnit list);
 * - every dimension key and metric name a directive names is a top-level member of the line: a dimension's value a
 *   string, a metric's a number;
 * - a line is at most 1 MB (CloudWatch Logs' event limit); ours are a few hundred bytes.
 * Dimensions are only ever bounded values (step, strategy, error code, action, outcome): each distinct combination is
 * a custom metric that CloudWatch bills, so a secret's ARN stays in the line as a plain field, never a dimension.
 */

/** CloudWatch's StandardUnit values (MetricDatum.Unit), the only ones EMF accepts. */
export const METRIC_UNITS = [
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits',
  'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second',
  'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second',
  'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
] as const;
export type MetricUnit = (typeof METRIC_UNITS)[number];

/** The member of a line that makes it an EMF document. */
export const EMF_ROOT = '_aws';

/** EMF's limits, from the specification. */
export const EMF_LIMITS = { metricsPerDirective: 100, keysPerDimensionSet: 30 } as const;

/** One measurement on a line. */
export interface Metric {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly value: number;
  /**
   * The dimension sets it is published under, each naming keys of {@link MetricSet.dimensions}; every set is its own
   * CloudWatch metric. `[[]]` publishes it without dimensions.
   */
  readonly by: readonly (readonly string[])[];
}

/** The measurements of one line and the dimension values they share. */
export interface MetricSet {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly metrics: readonly Metric[];
}

/**
 * The members that make a log line an EMF document: `_aws` plus each dimension and metric as a top-level member.
 * Metrics sharing the same dimension sets share one directive. A value that is not a finite number is left out (the
 * line is still written); a dimension value is reduced to what CloudWatch accepts (printable ASCII, 1 to 1024
 * characters).
 *
 * @example
 * emfMembers('PgRotator', {
 *   dimensions: { Step: 'setSecret', Outcome: 'succeeded' },
 *   metrics: [{ name: 'StepDuration', unit: 'Milliseconds', value: 12, by: [['Step', 'Outcome']] }],
 * }, Date.now());
 * // { _aws: { Timestamp, CloudWatchMetrics: [{ Namespace: 'PgRotator', Dimensions: [['Step', 'Outcome']],
 * //   Metrics: [{ Name: 'StepDuration', Unit: 'Milliseconds' }] }] }, Step: 'setSecret', Outcome: 'succeeded', StepDuration: 12 }
 */
export function emfMembers(namespace: string, set: MetricSet, timestamp: number): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  type Directive = { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: MetricUnit }[] };
  const directives: Directive[] = [];
  const open = new Map<string, Directive>();
  const used = new Set<string>();
  for (const metric of set.metrics) {
    if (!Number.isFinite(metric.value)) continue;
    const sets = metric.by.map((keys) => keys.filter((key) => key in set.dimensions).slice(0, EMF_LIMITS.keysPerDimensionSet));
    const key = JSON.stringify(sets);
    let directive = open.get(key);
    if (directive === undefined || directive.Metrics.length >= EMF_LIMITS.metricsPerDirective) {
      directive = { Namespace: namespace, Dimensions: sets, Metrics: [] };
      directives.push(directive);
      open.set(key, directive);
    }
    directive.Metrics.push({ Name: metric.name, Unit: metric.unit });
    members[metric.name] = metric.value;
    for (const keys of sets) for (const dimension of keys) used.add(dimension);
  }
  if (directives.length === 0) return {};
  for (const dimension of used) members[dimension] = dimensionValue(set.dimensions[dimension] ?? '');
  return { [EMF_ROOT]: { Timestamp: Math.trunc(timestamp), CloudWatchMetrics: directives }, ...members };
}

/** CloudWatch's Dimension value rule: ASCII, at least one non-space character, at most 1024. */
function dimensionValue(value: string): string {
  const ascii = value.replace(/[^\x20-\x7e]/g, '?').slice(0, 1024);
  return ascii.trim() === '' ? 'none' : ascii;
}
