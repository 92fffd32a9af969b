/**
 * CloudWatch's Embedded Metric Format, as its specification states it ("Specification: Embedded metric format",
 * Amazon CloudWatch user guide, and the JSON Schema published there), written down independently of
 * lambda/log/metrics.ts so the function's lines are checked against the spec, not against themselves:
 * - the line is one JSON object; `_aws` holds `Timestamp` (integer epoch milliseconds) and `CloudWatchMetrics`, an
 *   array of MetricDirectives;
 * - a MetricDirective is `Namespace` (1-255 characters), `Dimensions` (at least one DimensionSet, each at most 30
 *   dimension keys, 1-255 characters each) and `Metrics` (at most 100 MetricDefinitions); objects the spec defines
 *   carry no other members;
 * - a MetricDefinition is `Name` plus optional `Unit` (CloudWatch's StandardUnit values) and `StorageResolution`
 *   (1 or 60);
 * - every dimension key a DimensionSet names is a member of the root with a string value (CloudWatch's Dimension
 *   value: ASCII, not blank, at most 1024 characters); every metric Name is a member of the root holding a number
 *   or an array of at most 100 numbers;
 * - a line is at most 256 KB (the spec's limit when it was written; CloudWatch Logs now takes 1 MB events).
 */
import { z } from 'zod';

/** StandardUnit, from the spec's JSON Schema pattern. */
const SPEC_UNITS = [
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits',
  'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second',
  'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second',
  'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
] as const;

const Reference = z.string().min(1).max(255);

const MetricDefinition = z.strictObject({
  Name: Reference,
  Unit: z.enum(SPEC_UNITS).optional(),
  StorageResolution: z.union([z.literal(1), z.literal(60)]).optional(),
});

const MetricDirective = z.strictObject({
  Namespace: z.string().min(1).max(255),
  Dimensions: z.array(z.array(Reference).max(30)).min(1),
  Metrics: z.array(MetricDefinition).max(100),
});

const DimensionValue = z.string().min(1).max(1024).regex(/^[\x20-\x7e]*\S[\x20-\x7e]*$/, 'must be ASCII and not blank');
const MetricValue = z.union([z.number(), z.array(z.number()).max(100)]);

/** One EMF document: the spec's structure, then its references checked against the root's members. */
export const EmfDocumentSchema = z
  .looseObject({
    _aws: z.strictObject({
      Timestamp: z.number().int().nonnegative(),
      CloudWatchMetrics: z.array(MetricDirective),
    }),
  })
  .superRefine((root, ctx) => {
    for (const directive of root._aws.CloudWatchMetrics) {
      for (const key of directive.Dimensions.flat()) {
        if (!DimensionValue.safeParse(root[key]).success) ctx.addIssue({ code: 'custom', path: [key], message: `dimension ${key} must be a string member of the root` });
      }
      for (const { Name } of directive.Metrics) {
        if (!MetricValue.safeParse(root[Name]).success) ctx.addIssue({ code: 'custom', path: [Name], message: `metric ${Name} must be a number (or numbers) at the root` });
      }
    }
  });
export type EmfDocument = z.infer<typeof EmfDocumentSchema>;

/** The spec's limit on one document, in bytes. */
export const EMF_MAX_LINE_BYTES = 256 * 1024;

/** One metric as CloudWatch would extract it from a document: its name, value, unit and dimensions. */
export interface ExtractedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string | undefined;
  readonly value: unknown;
  readonly dimensions: Readonly<Record<string, string>>;
}

/**
 * Validates every line carrying `_aws` against the spec (throwing with the issue and the line) and returns the
 * metrics CloudWatch would extract from them, one per metric per DimensionSet.
 */
export function extractMetrics(lines: readonly string[]): ExtractedMetric[] {
  const extracted: ExtractedMetric[] = [];
  for (const line of lines) {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (!('_aws' in parsed)) continue;
    if (Buffer.byteLength(line) > EMF_MAX_LINE_BYTES) throw new Error(`EMF line over ${EMF_MAX_LINE_BYTES} bytes`);
    const checked = EmfDocumentSchema.safeParse(parsed);
    if (!checked.success) throw new Error(`not valid EMF: ${JSON.stringify(checked.error.issues[0])}\n${line}`);
    const root = checked.data as Record<string, unknown> & EmfDocument;
    for (const directive of root._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        for (const metric of directive.Metrics) {
          extracted.push({
            namespace: directive.Namespace,
            name: metric.Name,
            unit: metric.Unit,
            value: root[metric.Name],
            dimensions: Object.fromEntries(set.map((key) => [key, root[key] as string])),
          });
        }
      }
    }
  }
  return extracted;
}
