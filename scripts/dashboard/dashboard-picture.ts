import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_CONFIG_FILE, readConfigFile } from '../../infra/config/load';
import { PgRotatorStack } from '../../infra/pg-rotator-stack';
import { renderDashboardSvg } from './dashboard-svg';
import { dashboardWidgets } from './dashboard-widgets';

/** Where the picture of the dashboard's layout lives; docs/operations.md shows it. */
export const DASHBOARD_PICTURE = 'docs/dashboard.svg';

/**
 * The picture of the dashboard as the example config's stack synthesizes it (infra/config/example.json): the
 * widgets of its DashboardBody, drawn by {@link renderDashboardSvg}. Synthesized without bundling the functions
 * (the dashboard does not depend on the code), in a scratch output directory removed afterwards.
 */
export function dashboardPicture(): string {
  const outdir = mkdtempSync(path.join(tmpdir(), 'pg-rotator-dashboard-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const config = readConfigFile(DEFAULT_CONFIG_FILE);
    const stack = new PgRotatorStack(app, config.stackName, { config });
    return renderDashboardSvg(dashboardWidgets(Template.fromStack(stack).toJSON()));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
