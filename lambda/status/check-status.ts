import type { ListedSecret } from './secret-status';
import { isRotatedBy, pendingVersionId, secretStatus } from './secret-status';
import type { StatusCalls } from './status-calls';
import type { SecretStatus, StatusRequest, StatusResult } from './status-request';

/** What the status check needs. */
export interface StatusCheckDeps {
  readonly calls: StatusCalls;
  /** This deployment's rotation function: the secrets naming it are the ones reported. */
  readonly rotationFunctionArn: string;
  /** The time findings are judged at. */
  readonly now: () => Date;
  /** When listing must stop (epoch ms, real time): the invocation's deadline less a reserve for answering. */
  readonly deadline: number;
  /** Pages of ListSecrets read at most. @default {@link MAX_PAGES} */
  readonly maxPages?: number;
  /** Bytes the listed secrets may take in the answer. @default {@link MAX_LISTED_BYTES} */
  readonly maxListedBytes?: number;
  /** The strategy the deployment declared for a secret, for secrets without the pg-rotator:strategy tag. */
  readonly declaredStrategy?: (secretArn: string) => string | undefined;
}

/**
 * 200 pages of 100: 20,000 secrets, twice the fleet issue 15 plans for. ListSecrets lists every secret of the account
 * and region (it has no filter on the rotation function), so the bound is on secrets listed, not on managed ones.
 */
export const MAX_PAGES = 200;
/** ListSecretVersionIds calls in flight at once, for the secrets with a pending version. */
const VERSION_READS_IN_FLIGHT = 8;
/**
 * The most the listed secrets may take in the answer: Lambda answers a synchronous invocation with at most 6 MB, and
 * the envelope and JSON escaping need room. Secrets beyond it are counted in `omitted`, findings first kept.
 */
export const MAX_LISTED_BYTES = 5_000_000;

/**
 * The status check: lists the account's secrets page by page, keeps those whose rotation function is this
 * deployment's, reads the pending version's CreatedDate for those with one, and judges each (`secret-status.ts`).
 * It stops early, saying so, when the page limit or the deadline comes first. `flagged`: every secret with a
 * finding, whatever the request lists, for the log lines.
 */
export async function checkStatus(request: StatusRequest, deps: StatusCheckDeps): Promise<{ result: StatusResult; flagged: SecretStatus[] }> {
  const maxPages = deps.maxPages ?? MAX_PAGES;
  const managed: ListedSecret[] = [];
  let stoppedBy: StatusResult['stoppedBy'] = null;
  let pagesRead = 0;
  let nextToken: string | undefined;
  do {
    if (pagesRead >= maxPages) stoppedBy = 'page-limit';
    else if (Date.now() >= deps.deadline) stoppedBy = 'time-limit';
    if (stoppedBy !== null) break;
    const page = await deps.calls.listSecrets({
      ...(nextToken === undefined ? {} : { nextToken }),
      ...(request.namePrefix === undefined ? {} : { namePrefix: request.namePrefix }),
    });
    pagesRead += 1;
    managed.push(...page.secrets.filter((secret) => isRotatedBy(secret.rotationLambdaArn, deps.rotationFunctionArn)));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);

  const created = await pendingCreatedDates(managed, deps);
  if (created.timedOut) stoppedBy ??= 'time-limit';
  const now = deps.now();
  const statuses = managed.map((secret) => secretStatus(secret, created.dates.get(secret.arn), now, deps.declaredStrategy?.(secret.arn)));

  const has = (status: SecretStatus, kind: string) => status.findings.some((finding) => finding.kind === kind);
  const wanted = request.list === 'none' ? [] : statuses.filter((status) => request.list === 'all' || status.findings.length > 0);
  const { listed, omitted } = withinSize(wanted.sort(byFindingsThenName), deps.maxListedBytes ?? MAX_LISTED_BYTES);
  const result: StatusResult = {
    rotationFunctionArn: deps.rotationFunctionArn,
    checkedAt: now.toISOString(),
    complete: stoppedBy === null,
    stoppedBy,
    pagesRead,
    counts: {
      managed: statuses.length,
      healthy: statuses.filter((status) => status.findings.length === 0).length,
      stuck: statuses.filter((status) => has(status, 'stuck')).length,
      overdue: statuses.filter((status) => has(status, 'overdue')).length,
      rotationDisabled: statuses.filter((status) => has(status, 'rotation-disabled')).length,
    },
    secrets: listed,
    omitted,
  };
  return { result, flagged: statuses.filter((status) => status.findings.length > 0) };
}

/**
 * The pending versions' CreatedDates, a few reads at a time, until the deadline. A secret whose read failed or did
 * not fit gets `null` (its age unknown, it cannot be judged stuck); the listing as a whole still answers.
 */
async function pendingCreatedDates(secrets: readonly ListedSecret[], deps: StatusCheckDeps): Promise<{ dates: Map<string, Date | null>; timedOut: boolean }> {
  const queue = secrets.flatMap((secret) => {
    const versionId = pendingVersionId(secret.versionStages);
    return versionId === undefined ? [] : [{ arn: secret.arn, versionId }];
  });
  const dates = new Map<string, Date | null>();
  let timedOut = false;
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (Date.now() >= deps.deadline) {
        timedOut = true;
        dates.set(next.arn, null);
        continue;
      }
      dates.set(next.arn, (await deps.calls.versionCreatedAt(next.arn, next.versionId).catch(() => undefined)) ?? null);
    }
  };
  await Promise.all(Array.from({ length: VERSION_READS_IN_FLIGHT }, worker));
  return { dates, timedOut };
}

function byFindingsThenName(a: SecretStatus, b: SecretStatus): number {
  return Number(b.findings.length > 0) - Number(a.findings.length > 0) || a.name.localeCompare(b.name);
}

/** The statuses that fit in `maxBytes`, in order, and how many did not. */
function withinSize(statuses: readonly SecretStatus[], maxBytes: number): { listed: SecretStatus[]; omitted: number } {
  let bytes = 0;
  const listed: SecretStatus[] = [];
  for (const status of statuses) {
    bytes += Buffer.byteLength(JSON.stringify(status)) + 1;
    if (bytes > maxBytes) break;
    listed.push(status);
  }
  return { listed, omitted: statuses.length - listed.length };
}
