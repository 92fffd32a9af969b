import { createHash } from 'node:crypto';
import type { DatabaseSecret } from '../../lambda/secrets/secret-format';
import { SecretsManagerError } from '../../lambda/errors';
import { DatabaseSecretSchema, parseSecretString } from '../../lambda/secrets/secret-format';
import type { EventSink } from './pool-events';
import { describeReadError } from './pool-events';
import type { ReadStage, SecretSource, SecretVersionRead } from './secret-source';

/** A version of the secret the pool logs in with. */
export interface FollowedLogin {
  /** The version's id (a digest of its value when the source gives none): one id, one password. */
  readonly versionId: string;
  readonly stage: ReadStage;
  readonly secret: DatabaseSecret;
}

/** After a failed interval read, the next try comes this soon (or at the interval, if shorter). */
export const RETRY_AFTER_FAILED_READ_MS = 5_000;

interface State {
  readonly login: FollowedLogin;
  nextReadAt: number;
  /**
   * The AWSCURRENT version that was refused while the pool moved to AWSPENDING (single-user and admin between
   * setSecret and finishSecret): interval reads that still find it current keep the pending login.
   */
  readonly avoid?: string;
}

/**
 * Which version of the secret new connections use, read through a {@link SecretSource}:
 * - {@link current}: the cached login, read again once `refreshIntervalMs` has passed (one read at a time, shared
 *   by every caller waiting on it). A failed read keeps the login the pool has and tries again soon.
 * - {@link afterRefused}: PostgreSQL refused a version's password (28P01). One fresh read of AWSCURRENT, shared by
 *   every connection refused with that version: a newer AWSCURRENT is the answer. If AWSCURRENT is still the
 *   refused version, a rotation may be between setSecret and finishSecret (the database already has AWSPENDING's
 *   password, single-user and admin), so AWSPENDING is read and used, until AWSCURRENT moves on.
 */
export class SecretFollower {
  #state: State | undefined;
  #reading: Promise<FollowedLogin> | undefined;
  #recovering: { readonly versionId: string; readonly promise: Promise<FollowedLogin | undefined> } | undefined;

  constructor(
    private readonly source: SecretSource,
    private readonly refreshIntervalMs: number,
    private readonly report: EventSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** The login new connections use now. */
  async current(): Promise<FollowedLogin> {
    const state = this.#state;
    if (state !== undefined && this.now() < state.nextReadAt) return state.login;
    this.#reading ??= this.#readCurrent().finally(() => (this.#reading = undefined));
    return this.#reading;
  }

  /** The login the last read chose, without reading; undefined before the first read. */
  latest(): FollowedLogin | undefined {
    return this.#state?.login;
  }

  /** Reads again at the next {@link current}, whatever the interval says. */
  expire(): void {
    if (this.#state !== undefined) this.#state.nextReadAt = 0;
  }

  /**
   * The login to retry with after `refused` was refused, or undefined when the secret offers no other.
   *
   * @throws SecretsManagerError or InvalidInputError when the secret cannot be read or parsed.
   */
  afterRefused(refused: FollowedLogin): Promise<FollowedLogin | undefined> {
    const state = this.#state;
    // Another connection already moved on from the refused version.
    if (state !== undefined && state.login.versionId !== refused.versionId) return Promise.resolve(state.login);
    if (this.#recovering?.versionId === refused.versionId) return this.#recovering.promise;
    const promise = this.#recover(refused).finally(() => {
      if (this.#recovering?.promise === promise) this.#recovering = undefined;
    });
    this.#recovering = { versionId: refused.versionId, promise };
    return promise;
  }

  async #readCurrent(): Promise<FollowedLogin> {
    const state = this.#state;
    let login: FollowedLogin;
    try {
      login = await this.#readCurrentVersion(false);
    } catch (error) {
      if (state === undefined) throw error;
      state.nextReadAt = this.now() + Math.min(this.refreshIntervalMs, RETRY_AFTER_FAILED_READ_MS);
      return state.login;
    }
    // A refused login's recovery replaced the state while this read was in flight: it is the fresher answer.
    if (this.#state !== state && this.#state !== undefined) return this.#state.login;
    if (state?.avoid === login.versionId) {
      state.nextReadAt = this.now() + this.refreshIntervalMs;
      return state.login;
    }
    this.#state = { login, nextReadAt: this.now() + this.refreshIntervalMs };
    return login;
  }

  async #recover(refused: FollowedLogin): Promise<FollowedLogin | undefined> {
    const current = await this.#readCurrentVersion(true);
    if (current.versionId !== refused.versionId) {
      this.#state = { login: current, nextReadAt: this.now() + this.refreshIntervalMs };
      return current;
    }
    const pending = await this.#read('AWSPENDING', true).catch(() => undefined);
    if (pending === undefined || pending.versionId === refused.versionId) {
      if (this.#state !== undefined) this.#state.nextReadAt = this.now() + this.refreshIntervalMs;
      return undefined;
    }
    this.#state = { login: pending, nextReadAt: this.now() + this.refreshIntervalMs, avoid: refused.versionId };
    return pending;
  }

  /** AWSCURRENT, which every secret has. */
  async #readCurrentVersion(fresh: boolean): Promise<FollowedLogin> {
    const login = await this.#read('AWSCURRENT', fresh);
    if (login !== undefined) return login;
    const error = new SecretsManagerError('GetSecretValue', 'ResourceNotFoundException', 'the secret has no AWSCURRENT version');
    this.report({ type: 'secret-read-failed', stage: 'AWSCURRENT', error: describeReadError(error) });
    throw error;
  }

  async #read(stage: ReadStage, fresh: boolean): Promise<FollowedLogin | undefined> {
    let read: SecretVersionRead | undefined;
    let secret: DatabaseSecret;
    try {
      read = await this.source.read(stage, { fresh });
      if (read === undefined) return undefined;
      secret = parseSecretString(read.secretString, DatabaseSecretSchema, stage === 'AWSCURRENT' ? 'secret' : 'pendingSecret').fields;
    } catch (error) {
      this.report({ type: 'secret-read-failed', stage, error: describeReadError(error) });
      throw error;
    }
    const versionId = read.versionId || createHash('sha256').update(read.secretString).digest('hex');
    this.report({ type: 'secret-read', stage, versionId, username: secret.username, fresh });
    return { versionId, stage, secret };
  }
}
