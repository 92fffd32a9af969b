import { z } from 'zod';
import { templateText } from '../template-text';

/**
 * The widgets of a synthesized CloudWatch dashboard, read from its template's DashboardBody: the JSON CloudFormation
 * will send to PutDashboard, with each intrinsic (a `Ref` to the region or a log group) written `<LogicalId>`.
 */

/** Where a widget sits on the dashboard's grid. */
const placement = { x: z.number().int(), y: z.number().int(), width: z.number().int(), height: z.number().int() };

const MetricWidgetSchema = z.object({
  type: z.literal('metric'),
  ...placement,
  properties: z.object({
    title: z.string(),
    view: z.enum(['timeSeries', 'singleValue', 'bar', 'pie', 'gauge']),
    // A metric as [namespace, name, ...dimension pairs, options] or [{ expression, label, ... }].
    metrics: z.array(z.array(z.union([z.string(), z.record(z.string(), z.unknown())]))),
  }),
});

const LogWidgetSchema = z.object({
  type: z.literal('log'),
  ...placement,
  properties: z.object({ title: z.string(), query: z.string(), view: z.string() }),
});

export const WidgetSchema = z.discriminatedUnion('type', [MetricWidgetSchema, LogWidgetSchema]);
export type Widget = z.infer<typeof WidgetSchema>;
export type MetricWidget = z.infer<typeof MetricWidgetSchema>;

const DashboardBodySchema = z.object({ widgets: z.array(WidgetSchema) });

/** The template's one AWS::CloudWatch::Dashboard's widgets, in the order of its body. */
export function dashboardWidgets(template: { readonly Resources?: Readonly<Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>> }): Widget[] {
  const dashboards = Object.values(template.Resources ?? {}).filter((resource) => resource.Type === 'AWS::CloudWatch::Dashboard');
  if (dashboards.length !== 1) throw new Error(`expected one dashboard in the template, found ${dashboards.length}`);
  const body = templateText(dashboards[0]?.Properties?.DashboardBody, (value) => {
    throw new Error(`DashboardBody holds an intrinsic the picture cannot read: ${JSON.stringify(value)}`);
  });
  return DashboardBodySchema.parse(JSON.parse(body)).widgets;
}

/** What a widget shows, in words: `numbers`, `graph` or `Logs Insights table`. */
export function widgetKind(widget: Widget): string {
  if (widget.type === 'log') return `Logs Insights ${widget.properties.view}`;
  return widget.properties.view === 'singleValue' ? 'numbers' : 'graph';
}

/** A metric entry's SEARCH expression, if it is one. */
export function searchOf(metric: MetricWidget['properties']['metrics'][number]): string | undefined {
  const options = metric.find((part): part is Record<string, unknown> => typeof part === 'object');
  const expression = options?.expression;
  return typeof expression === 'string' && expression.startsWith('SEARCH(') ? expression : undefined;
}

/** What a widget draws: its metric names (a SEARCH as `StepFailures by Code, p90`), or its query's filter. */
export function widgetContents(widget: Widget): string[] {
  if (widget.type === 'log') return widget.properties.query.split('\n').filter((line) => line.startsWith('| filter ')).map((line) => line.slice(2));
  return widget.properties.metrics.map((metric) => {
    const search = searchOf(metric);
    if (search === undefined) return String(metric[1]);
    const parsed = /^SEARCH\('\{"[^"]*",([^}]*)\} MetricName="([^"]+)"', '([^']+)'/.exec(search);
    return parsed ? `${parsed[2]} by ${(parsed[1] ?? '').split(',').join(', ')}, ${parsed[3]}` : search;
  });
}
