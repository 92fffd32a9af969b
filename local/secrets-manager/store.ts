import { randomUUID } from 'node:crypto';
import type { SecretLocation } from './arn';
import { isValidSecretName, secretArn, secretIdMatches } from './arn';
import { AwsApiError, MARKED_FOR_DELETION_MESSAGE, invalidParameter, invalidRequest, secretNotFound } from './errors';
import type { SecretRecord, SecretValue, Tag } from './secret-record';
import { sameValue } from './secret-record';
import { checkClientRequestToken } from './secret-versions';
import { AWSCURRENT, attachLabels } from './staging-labels';

/**
 * The secrets of one endpoint, and the operations on a secret as a whole: create, find, delete, restore, tag. Pure
 * state: no HTTP, no timers (a deletion falls due lazily, the next time the store is read), and time comes from the
 * injected clock.
 */

/** What CreateSecret asks for, after its schema. */
export interface CreateSecretRequest {
  readonly name: string;
  readonly clientRequestToken?: string | undefined;
  readonly description?: string | undefined;
  readonly kmsKeyId?: string | undefined;
  readonly value?: SecretValue | undefined;
  readonly tags?: readonly Tag[] | undefined;
}

/** What DeleteSecret asks for, after its schema. */
export interface DeleteSecretRequest {
  readonly recoveryWindowInDays?: number | undefined;
  readonly forceDeleteWithoutRecovery?: boolean | undefined;
}

/** Construction options of {@link SecretStore}. */
export interface SecretStoreOptions {
  readonly location: SecretLocation;
  readonly clock: () => Date;
}

const MAX_TAGS = 50;
const DAY_MS = 86_400_000;

/**
 * All secrets of one local endpoint.
 *
 * @example
 * const store = new SecretStore({ location: { partition: 'aws', region: 'us-east-1', accountId: '123456789012' }, clock: () => new Date() });
 * store.create({ name: 'app/db', value: { kind: 'string', text: '{}' } });
 */
export class SecretStore {
  readonly #secrets = new Map<string, SecretRecord>();

  constructor(readonly options: SecretStoreOptions) {}

  /** The current time, from the injected clock. */
  now(): Date {
    return this.options.clock();
  }

  /** Every secret still stored (including those scheduled for deletion), oldest first. */
  all(): SecretRecord[] {
    this.#purgeDue();
    return [...this.#secrets.values()];
  }

  /**
   * Resolves a SecretId (full ARN, name or partial ARN).
   *
   * @throws AwsApiError ResourceNotFoundException if nothing matches; InvalidRequestException if the secret is
   *   scheduled for deletion and the operation does not allow that.
   */
  find(secretId: string, options: { allowDeleted?: boolean } = {}): SecretRecord {
    const secret = this.all().find((s) => secretIdMatches(secretId, s, this.options.location));
    if (!secret) throw secretNotFound();
    if (secret.deletionDate && !options.allowDeleted) throw invalidRequest(MARKED_FOR_DELETION_MESSAGE);
    return secret;
  }

  /**
   * CreateSecret. A retry with the same ClientRequestToken and the same value is answered as success, as the API
   * reference documents for the token; any other clash with an existing name is ResourceExistsException.
   */
  create(request: CreateSecretRequest): { secret: SecretRecord; versionId?: string } {
    if (!isValidSecretName(request.name)) {
      throw invalidParameter(
        'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
      );
    }
    if ((request.tags?.length ?? 0) > MAX_TAGS) throw invalidParameter(`A secret can have at most ${MAX_TAGS} tags.`);
    const existing = this.all().find((s) => s.name === request.name);
    if (existing?.deletionDate) {
      throw invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    if (existing) {
      const replay = request.clientRequestToken ? existing.versions.get(request.clientRequestToken) : undefined;
      if (replay && sameValue(replay.value, request.value)) return { secret: existing, versionId: replay.id };
      throw new AwsApiError('ResourceExistsException', `The operation failed because the secret ${request.name} already exists.`);
    }

    const now = this.now();
    const secret: SecretRecord = {
      arn: secretArn(this.options.location, request.name),
      name: request.name,
      tags: [...(request.tags ?? [])],
      versions: new Map(),
      stages: new Map(),
      createdAt: now,
      lastChangedAt: now,
      ...(request.description !== undefined ? { description: request.description } : {}),
      ...(request.kmsKeyId !== undefined ? { kmsKeyId: request.kmsKeyId } : {}),
    };
    let versionId: string | undefined;
    if (request.value !== undefined) {
      // "If you don't include SecretString or SecretBinary, Secrets Manager creates the secret without a version."
      versionId = request.clientRequestToken ?? randomUUID();
      checkClientRequestToken(versionId);
      secret.versions.set(versionId, { id: versionId, value: request.value, createdAt: now, createdByRotation: false });
      secret.stages = attachLabels(secret.stages, versionId, [AWSCURRENT]);
    }
    this.#secrets.set(secret.arn, secret);
    return versionId === undefined ? { secret } : { secret, versionId };
  }

  /**
   * DeleteSecret: schedules deletion after a 7-30 day recovery window (default 30), or deletes at once with
   * ForceDeleteWithoutRecovery, which is also allowed on a secret already scheduled for deletion, and on one that
   * does not exist: "If you forcibly delete an already deleted or nonexistent secret, the operation does not return
   * ResourceNotFoundException" (DeleteSecret API reference, ForceDeleteWithoutRecovery), so a retried forced delete
   * succeeds. There is then no record to answer with: the answer names what the request named.
   */
  delete(secretId: string, request: DeleteSecretRequest): { identity: { arn?: string; name?: string }; deletionDate: Date } {
    const { recoveryWindowInDays: days, forceDeleteWithoutRecovery: force } = request;
    if (force && days !== undefined) {
      throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (days !== undefined && (days < 7 || days > 30)) {
      throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const now = this.now();
    const secret = this.all().find((s) => secretIdMatches(secretId, s, this.options.location));
    if (!secret) {
      if (!force) throw secretNotFound();
      return { identity: secretId.startsWith('arn:') ? { arn: secretId } : { name: secretId }, deletionDate: now };
    }
    const identity = { arn: secret.arn, name: secret.name };
    if (force) {
      this.#secrets.delete(secret.arn);
      return { identity, deletionDate: now };
    }
    if (secret.deletionDate) throw invalidRequest(MARKED_FOR_DELETION_MESSAGE);
    secret.deletionDate = new Date(now.getTime() + (days ?? 30) * DAY_MS);
    secret.lastChangedAt = now;
    return { identity, deletionDate: secret.deletionDate };
  }

  /** RestoreSecret: cancels a scheduled deletion (a no-op on a secret that is not scheduled). */
  restore(secretId: string): SecretRecord {
    const secret = this.find(secretId, { allowDeleted: true });
    if (secret.deletionDate) {
      delete secret.deletionDate;
      secret.lastChangedAt = this.now();
    }
    return secret;
  }

  /** TagResource: adds tags, replacing the value of a key that is already there. */
  tag(secretId: string, tags: readonly Tag[]): void {
    const secret = this.find(secretId);
    const byKey = new Map(secret.tags.map((t) => [t.Key, t]));
    for (const tag of tags) byKey.set(tag.Key, tag);
    if (byKey.size > MAX_TAGS) throw invalidParameter(`A secret can have at most ${MAX_TAGS} tags.`);
    secret.tags = [...byKey.values()];
    secret.lastChangedAt = this.now();
  }

  /** UntagResource: removes the named keys (unknown keys are ignored). */
  untag(secretId: string, keys: readonly string[]): void {
    const secret = this.find(secretId);
    secret.tags = secret.tags.filter((t) => !keys.includes(t.Key));
    secret.lastChangedAt = this.now();
  }

  #purgeDue(): void {
    const now = this.now().getTime();
    for (const [arn, secret] of this.#secrets) {
      if (secret.deletionDate && secret.deletionDate.getTime() <= now) this.#secrets.delete(arn);
    }
  }
}
