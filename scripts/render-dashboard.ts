/**
 * `npm run dashboard:picture`: writes docs/dashboard.svg, the layout of the dashboard the construct deploys, from the
 * widgets of the synthesized DashboardBody. Run it after changing infra/constructs/rotator-dashboard.ts;
 * test/docs/dashboard.test.ts fails while the committed picture is stale.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_PICTURE, dashboardPicture } from './dashboard/dashboard-picture';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
await writeFile(path.join(root, DASHBOARD_PICTURE), dashboardPicture());
console.log(`wrote ${DASHBOARD_PICTURE}`);
