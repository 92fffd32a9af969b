/**
 * Which version new connections use, decided without a server: the cache and its interval, one read shared by
 * every caller, and what a refused login leads to (a newer AWSCURRENT, else AWSPENDING while a rotation is between
 * setSecret and finishSecret). The source is a table of versions; the same rules run against the local endpoints
 * in rotating-pool.db.test.ts and application-load.db.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { RotatingPoolEvent } from '../../client/pg/pool-events';
import { SecretFollower } from '../../client/pg/secret-follower';
import type { ReadStage, SecretSource } from '../../client/pg/secret-source';

const value = (username: string, password: string) => JSON.stringify({ engine: 'postgres', host: 'db.example.com', username, password });

/** Staging labels as a table the test moves, and every read made. */
function labels(initial: Partial<Record<ReadStage, { versionId: string; secretString: string }>>) {
  const stages = { ...initial };
  const reads: string[] = [];
  let failing = false;
  const source: SecretSource = {
    async read(stage, { fresh }) {
      reads.push(`${stage}${fresh ? ' fresh' : ''}`);
      await Promise.resolve();
      if (failing) throw new Error('endpoint down');
      return stages[stage];
    },
  };
  return { stages, reads, source, fail: (on: boolean) => (failing = on) };
}

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const V1 = { versionId: 'v1', secretString: value('app', 'first-password') };
const V2 = { versionId: 'v2', secretString: value('app', 'second-password') };

describe('the cache', () => {
  it('reads AWSCURRENT once per interval, one read for every caller waiting on it', async () => {
    const { source, reads } = labels({ AWSCURRENT: V1 });
    const time = clock();
    const follower = new SecretFollower(source, 1_000, () => undefined, time.now);

    const logins = await Promise.all([follower.current(), follower.current(), follower.current()]);
    await follower.current();
    time.advance(1_000);
    await follower.current();

    expect(logins.map((l) => l.versionId)).toEqual(['v1', 'v1', 'v1']);
    expect(reads).toEqual(['AWSCURRENT', 'AWSCURRENT']);
  });

  it('keeps the login it has when a read fails, and tries again soon', async () => {
    const { source, reads, fail } = labels({ AWSCURRENT: V1 });
    const time = clock();
    const events: RotatingPoolEvent[] = [];
    const follower = new SecretFollower(source, 60_000, (e) => events.push(e), time.now);
    await follower.current();
    time.advance(60_000);
    fail(true);

    expect((await follower.current()).versionId).toBe('v1');
    expect((await follower.current()).versionId).toBe('v1');
    time.advance(5_000);
    fail(false);
    await follower.current();

    expect(reads).toEqual(['AWSCURRENT', 'AWSCURRENT', 'AWSCURRENT']);
    expect(events.map((e) => e.type)).toEqual(['secret-read', 'secret-read-failed', 'secret-read']);
  });

  it('fails the first read when there is nothing to fall back on', async () => {
    const { source, fail } = labels({ AWSCURRENT: V1 });
    fail(true);
    await expect(new SecretFollower(source, 0, () => undefined).current()).rejects.toThrow('endpoint down');
  });
});

describe('after a refused login', () => {
  it('takes a newer AWSCURRENT, with one fresh read shared by every refused connection', async () => {
    const { source, reads, stages } = labels({ AWSCURRENT: V1 });
    const follower = new SecretFollower(source, 600_000, () => undefined);
    const refused = await follower.current();
    stages.AWSCURRENT = V2;

    const next = await Promise.all([follower.afterRefused(refused), follower.afterRefused(refused)]);

    expect(next.map((l) => l?.versionId)).toEqual(['v2', 'v2']);
    expect(reads).toEqual(['AWSCURRENT', 'AWSCURRENT fresh']);
    expect(follower.latest()?.versionId).toBe('v2');
  });

  it('takes AWSPENDING while AWSCURRENT is still the refused version (setSecret ran, finishSecret has not), until AWSCURRENT moves', async () => {
    const { source, reads, stages } = labels({ AWSCURRENT: V1, AWSPENDING: V2 });
    const time = clock();
    const follower = new SecretFollower(source, 1_000, () => undefined, time.now);
    const refused = await follower.current();

    const next = await follower.afterRefused(refused);
    time.advance(1_000);
    const stillPending = await follower.current();
    stages.AWSCURRENT = V2;
    time.advance(1_000);
    const moved = await follower.current();

    expect(next).toMatchObject({ versionId: 'v2', stage: 'AWSPENDING' });
    expect(stillPending).toMatchObject({ versionId: 'v2', stage: 'AWSPENDING' });
    expect(moved).toMatchObject({ versionId: 'v2', stage: 'AWSCURRENT' });
    expect(reads).toEqual(['AWSCURRENT', 'AWSCURRENT fresh', 'AWSPENDING fresh', 'AWSCURRENT', 'AWSCURRENT']);
  });

  it('has nothing else to offer when no other version exists: the refusal stands', async () => {
    const { source } = labels({ AWSCURRENT: V1 });
    const follower = new SecretFollower(source, 600_000, () => undefined);
    expect(await follower.afterRefused(await follower.current())).toBeUndefined();
  });

  it('answers at once when another connection already moved on from the refused version', async () => {
    const { source, reads, stages } = labels({ AWSCURRENT: V1 });
    const follower = new SecretFollower(source, 600_000, () => undefined);
    const refused = await follower.current();
    stages.AWSCURRENT = V2;
    await follower.afterRefused(refused);
    reads.length = 0;

    expect((await follower.afterRefused(refused))?.versionId).toBe('v2');
    expect(reads).toEqual([]);
  });

  it('reports versions and logins, never a password', async () => {
    const { source, stages } = labels({ AWSCURRENT: V1, AWSPENDING: V2 });
    const events: RotatingPoolEvent[] = [];
    const follower = new SecretFollower(source, 0, (e) => events.push(e));
    await follower.afterRefused(await follower.current());
    stages.AWSCURRENT = V2;
    await follower.current();

    const text = JSON.stringify(events);
    expect(text).not.toContain('first-password');
    expect(text).not.toContain('second-password');
    expect(events).toContainEqual({ type: 'secret-read', stage: 'AWSPENDING', versionId: 'v2', username: 'app', fresh: true });
  });
});
