import { STRATEGIES } from '../config/environment';
import type { RotationRulesInput } from '../schedule/rotation-window';
import { dueBy, rotationWindow } from '../schedule/rotation-window';
import type { Finding, SecretStatus } from './status-request';

/**
 * The status check's decisions, pure: which listed secrets this deployment rotates, and what is wrong with each.
 * Everything comes from Secrets Manager's metadata; no secret value is involved.
 */

/** A ListSecrets entry, as far as the status check reads it. */
export interface ListedSecret {
  readonly arn: string;
  readonly name: string;
  readonly rotationEnabled: boolean;
  readonly rotationLambdaArn: string | undefined;
  readonly rotationRules: RotationRulesInput | undefined;
  readonly lastRotatedDate: Date | undefined;
  readonly nextRotationDate: Date | undefined;
  readonly createdDate: Date | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** SecretVersionsToStages: version id → its staging labels. */
  readonly versionStages: Readonly<Record<string, readonly string[]>>;
}

/** The tag a deployment sets to declare a secret's strategy (also read by the rotation bindings). */
export const STRATEGY_TAG = 'pg-rotator:strategy';

const AWSCURRENT = 'AWSCURRENT';
const AWSPENDING = 'AWSPENDING';

/**
 * Whether a secret's rotation function is this one. Secrets Manager keeps the ARN it was given; a qualified ARN
 * (`…:function:name:alias`) still names this function.
 *
 * @example
 * isRotatedBy('arn:aws:lambda:eu-west-1:123456789012:function:pg-rotator:live', 'arn:aws:lambda:eu-west-1:123456789012:function:pg-rotator'); // true
 */
export function isRotatedBy(rotationLambdaArn: string | undefined, functionArn: string): boolean {
  if (rotationLambdaArn === undefined) return false;
  return rotationLambdaArn === functionArn || rotationLambdaArn.startsWith(`${functionArn}:`);
}

/** The version AWSPENDING sits on when that is not AWSCURRENT's: a rotation in progress or one that did not finish. */
export function pendingVersionId(versionStages: ListedSecret['versionStages']): string | undefined {
  for (const [versionId, labels] of Object.entries(versionStages)) {
    if (labels.includes(AWSPENDING) && !labels.includes(AWSCURRENT)) return versionId;
  }
  return undefined;
}

/**
 * One secret's status at `now`. `pendingCreatedAt` is the pending version's CreatedDate (ListSecretVersionIds),
 * `null` when it could not be read; `strategy` is what the deployment declared, if the tag does not say.
 *
 * Findings:
 * - `stuck`: AWSPENDING has sat on a version apart from AWSCURRENT for longer than the rotation window. Secrets
 *   Manager retries a failed rotation within minutes; one still pending after a whole window is not coming home, and
 *   blocks every later RotateSecret ("A previous rotation isn't complete").
 * - `overdue`: rotation is on and the window in which the next rotation was due has closed (see `dueBy`).
 * - `rotation-disabled`: the secret names this function but rotation is off: nothing rotates it.
 */
export function secretStatus(secret: ListedSecret, pendingCreatedAt: Date | null | undefined, now: Date, declaredStrategy?: string): SecretStatus {
  const window = rotationWindow(secret.rotationRules);
  const lastRotation = secret.lastRotatedDate ?? secret.createdDate;
  const due = secret.rotationEnabled && lastRotation !== undefined ? dueBy(window, lastRotation, secret.nextRotationDate) : undefined;
  const pendingId = pendingVersionId(secret.versionStages);
  const ageSeconds = pendingCreatedAt ? Math.max(0, Math.floor((now.getTime() - pendingCreatedAt.getTime()) / 1000)) : null;
  const findings: Finding[] = [];
  let lastFailure: SecretStatus['lastFailure'] = null;

  if (pendingId !== undefined && pendingCreatedAt && ageSeconds !== null && ageSeconds > window.windowHours * 3600) {
    findings.push({
      kind: 'stuck',
      detail: `AWSPENDING has been on version ${pendingId} since ${pendingCreatedAt.toISOString()} (${age(ageSeconds)}), longer than the ${window.windowHours}h rotation window`,
    });
    lastFailure = { since: pendingCreatedAt.toISOString(), detail: `the rotation begun then did not finish (version ${pendingId})` };
  }
  if (due !== undefined && now.getTime() > due.getTime()) {
    const since = secret.lastRotatedDate ? `last rotated ${secret.lastRotatedDate.toISOString()}` : `never rotated since its creation on ${lastRotation?.toISOString() ?? '?'}`;
    findings.push({ kind: 'overdue', detail: `${since}; under ${window.schedule ?? 'its schedule'} the next rotation was due by ${due.toISOString()}` });
  }
  if (!secret.rotationEnabled) {
    findings.push({ kind: 'rotation-disabled', detail: 'rotation is turned off (CancelRotateSecret or the console): nothing rotates this secret' });
  }

  return {
    arn: secret.arn,
    name: secret.name,
    strategy: strategyOf(secret.tags[STRATEGY_TAG] ?? declaredStrategy),
    rotationEnabled: secret.rotationEnabled,
    schedule: window.schedule ?? null,
    windowHours: window.windowHours,
    lastRotated: secret.lastRotatedDate?.toISOString() ?? null,
    nextRotation: secret.nextRotationDate?.toISOString() ?? null,
    dueBy: due?.toISOString() ?? null,
    stages: stageGroups(secret.versionStages),
    pending: pendingId === undefined ? null : { versionId: pendingId, createdAt: pendingCreatedAt?.toISOString() ?? null, ageSeconds },
    lastFailure,
    findings,
  };
}

/** A known strategy, or "unknown": the tag is free text, and only bounded values are reported. */
function strategyOf(value: string | undefined): string {
  return (STRATEGIES as readonly (string | undefined)[]).includes(value) ? (value as string) : 'unknown';
}

/** The labels, one list per version, AWSCURRENT's first. */
function stageGroups(versionStages: ListedSecret['versionStages']): string[][] {
  return Object.values(versionStages)
    .filter((labels) => labels.length > 0)
    .map((labels) => [...labels].sort())
    .sort((a, b) => Number(b.includes(AWSCURRENT)) - Number(a.includes(AWSCURRENT)) || a.join().localeCompare(b.join()));
}

/** `3d 4h`, `5h 12m`, `40m`. */
export function age(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  return `${minutes}m`;
}
