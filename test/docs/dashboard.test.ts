import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAST_FAILURES_QUERY, STATUS_FINDINGS_QUERY } from '../../infra/constructs/rotator-dashboard';
import { DASHBOARD_PICTURE, dashboardPicture } from '../../scripts/dashboard/dashboard-picture';
import { ROOT, fences, readDoc } from './markdown';

describe('docs/dashboard.svg', () => {
  it("is the synthesized dashboard's layout (run: npm run dashboard:picture)", () => {
    expect(readFileSync(path.join(ROOT, DASHBOARD_PICTURE), 'utf8')).toBe(dashboardPicture());
  });

  it('is shown in docs/operations.md', () => {
    expect(readDoc('docs/operations.md')).toContain('](dashboard.svg)');
  });
});

describe("docs/operations.md's Logs Insights queries", () => {
  it.each([
    ['the last failures', LAST_FAILURES_QUERY],
    ['the status findings', STATUS_FINDINGS_QUERY],
  ])('show %s exactly as the dashboard runs it', (_name, query) => {
    expect(fences('docs/operations.md').map((fence) => fence.text)).toContain(query);
  });
});
